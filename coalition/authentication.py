from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's hashed, expiring tokens, with any malformed token a 401 rather than a decoding error, and one query
    per request rather than two."""

    prefix = knox_settings.AUTH_HEADER_PREFIX.lower().encode()

    def authenticate(self, request):
        """As knox, but an Authorization header of another scheme (Bearer, say) is refused with a 401 that names
        the one to use, rather than passed over as if there were none."""
        header = get_authorization_header(request).split()
        if header and header[0].lower() != self.prefix:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Token <token>'; no other scheme (such as Bearer) is accepted."
            )
        return super().authenticate(request)

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        if "\x00" in text:  # PostgreSQL cannot compare it: the lookup would fail rather than find nothing
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (and is deleted). Knox also loads all the user's tokens here, on every
        request, to delete the expired ones; `auth_token_create` does that at login instead."""
        expired = auth_token.expiry is not None and auth_token.expiry < timezone.now()
        if expired:
            auth_token.delete()
        return expired


class TokenScheme(KnoxTokenScheme):
    """Documents `Authorization: Token <token>` in the OpenAPI schema, as drf-spectacular does for knox itself."""

    target_class = TokenAuthentication
    name = "tokenAuth"
