from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import URLPattern, include, path

from trellis.assessments.capture import offline
from trellis.assessments.kiosk import views as kiosk
from trellis.assessments.links import views as rater_links
from trellis.connect.sso import views as sso_views
from trellis.ops.views import health
from trellis.people import views_pin
from trellis.records import views_audit

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", sso_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", sso_views.SignOutView.as_view(), name="logout"),
    # Django's password reset and change pages, off while PASSWORD_SIGN_IN is.
    path(
        "accounts/",
        include(
            [
                URLPattern(p.pattern, sso_views.password_sign_in_only(p.callback), name=p.name)
                for p in auth_urls.urlpatterns
                if isinstance(p, URLPattern) and p.name not in {"login", "logout"}
            ]
        ),
    ),
    path("sso/oidc/", include("trellis.connect.sso.urls")),
    path("sso/saml/", include("trellis.connect.sso.saml.urls")),
    path("lti/", include("trellis.connect.lti.urls")),
    path("api/v1/", include("trellis.api.urls")),
    path("ims/case/v1p1/", include("trellis.connect.urls")),
    path("account/tokens/", include("trellis.api.web_urls")),
    path("account/pin/", views_pin.pin_page, name="account-pin"),
    path("frameworks/", include("trellis.frameworks.urls")),
    path("programs/<slug:slug>/people/", include("trellis.people.urls")),
    path("programs/<slug:slug>/lti/", include("trellis.connect.lti.urls_program")),
    path("programs/<slug:slug>/audit/", views_audit.program_audit, name="program-audit"),
    path("programs/<slug:slug>/schedule/", include("trellis.scheduling.urls")),
    path("schedule/", include("trellis.scheduling.my_urls")),
    path("programs/<slug:slug>/curriculum/", include("trellis.curriculum.urls")),
    path("programs/<slug:slug>/assessments/", include("trellis.assessments.urls_program")),
    path("assess/", include("trellis.assessments.urls")),
    # Rater links: no account; the thanks page first, or "thanks" would read as a link.
    path("l/thanks/", rater_links.rater_link_thanks, name="rater-link-thanks"),
    path("l/<str:token>/", rater_links.rater_link, name="rater-link"),
    # The patient kiosk: no account; "open" first, or it would read as a kiosk's secret.
    path("k/open/", kiosk.kiosk_open, name="kiosk-open"),
    path("k/<str:token>/", kiosk.kiosk, name="kiosk"),
    path("k/<str:token>/thanks/", kiosk.kiosk_thanks, name="kiosk-thanks"),
    path("programs/<slug:slug>/committee/", include("trellis.committees.urls")),
    path("programs/<slug:slug>/records/", include("trellis.records.urls")),
    path("programs/<slug:slug>/records/", include("trellis.reports.urls")),
    path("plans/", include("trellis.plans.urls")),
    path("programs/<slug:slug>/coaching/", include("trellis.plans.urls_coaching")),
    path("educators/", include("trellis.educators.urls")),
    path("programs/<slug:slug>/frameworks/", include("trellis.frameworks.urls_program")),
    # The installable app: its worker at the root, so its scope covers every page.
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("", include("trellis.records.urls_home")),
]

handler404 = "trellis.connect.case_api.not_found"
