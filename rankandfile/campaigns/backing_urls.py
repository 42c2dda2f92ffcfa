from django.urls import path, register_converter

from rankandfile.campaigns import backing_views as views

app_name = "backing"


class TargetKind:
    """What is backed, as it appears in the address: a pressure campaign or a campaign group."""

    regex = "campaigns|groups"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TargetKind, "backing_target")

urlpatterns = [
    path("", views.campaigns_to_back, name="list"),
    path("<backing_target:kind>/<slug:slug>/", views.backing_member, name="member"),
    path("<backing_target:kind>/<slug:slug>/stop/", views.backing_member_stop, name="member_stop"),
    path("<backing_target:kind>/<slug:slug>/groups/", views.backing_by_group, name="by_group"),
]
