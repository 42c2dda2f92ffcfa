from django.urls import path  # noqa: F401

from rankandfile.opinions import views  # noqa: F401

app_name = "opinions"

urlpatterns: list[object] = []
