"""A real OpenID provider for the tests: django-oidc-provider in a Django project of its own,
run by `provider.py` in a subprocess on 127.0.0.1 with its own SQLite file and RSA key.
Nothing here is imported by Trellis itself."""
