from django.contrib import admin
from django.urls import include, path, re_path

from api import problems

# Each app serves its own paths under /api/v1/ (included by name: the project's wiring imports no domain app).
API_V1 = ["api.urls", "coalition.urls", "pathways.urls", "notifications.urls", "evaluation.urls", "funding.urls"]

urlpatterns = [
    *(path("api/v1/", include(urls)) for urls in API_V1),
    path("admin/", admin.site.urls),
    # Anything else under /api/ (a trailing slash, an unknown resource) is a problem 404, in debug mode too.
    re_path(r"^api/", problems.not_found),
]

handler400 = problems.bad_request
handler403 = problems.permission_denied
handler404 = problems.not_found
handler500 = problems.server_error
