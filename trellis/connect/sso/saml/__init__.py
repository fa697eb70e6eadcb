"""Single sign-on with SAML 2.0 (djangosaml2 and pysaml2), configured by the SAML_*
settings (docs/operators.md). Trellis is the service provider; the identity provider's
signed assertion proves who someone is, and the rule OpenID Connect uses (accounts.py)
picks their account."""
