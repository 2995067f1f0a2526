from django.urls import include, path

from konbit.api.api import api

urlpatterns = [
    path("", include("konbit.core.urls")),
    path("p/<slug:program>/partners/", include("konbit.partners.urls")),
    path("p/<slug:program>/maps/", include("konbit.maps.urls")),
    path("p/<slug:program>/change/indicators/", include("konbit.indicators.urls")),
    path("p/<slug:program>/change/", include("konbit.results.urls")),
    path("p/<slug:program>/learning/", include("konbit.learning.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
