"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured by the OIDC_*
settings (docs/operators.md). The provider proves who someone is; the e-mail it vouches for
picks the Trellis account, and memberships still decide what that account sees."""
