from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's hashed, expiring tokens, with any malformed token a 401 rather than a decoding error."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        if "\x00" in text:  # PostgreSQL cannot compare it: the lookup would fail rather than find nothing
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """Documents `Authorization: Token <token>` in the OpenAPI schema, as drf-spectacular does for knox itself."""

    target_class = TokenAuthentication
    name = "tokenAuth"
