from django.urls import path

from rankandfile.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new-address/", views.feed_reset, name="feed_reset"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("network/new/", views.network_event_new, name="network_new"),
    path("groups/<slug:group_slug>/new/", views.event_new, name="new"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/event.ics", views.event_ics, name="ics"),
    path("<int:event_id>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:event_id>/rsvp/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path(
        "<int:event_id>/sessions/<int:session_id>/choose/",
        views.session_choose,
        name="session_choose",
    ),
    path(
        "<int:event_id>/sessions/<int:session_id>/leave/",
        views.session_leave,
        name="session_leave",
    ),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/manage/", views.event_manage, name="manage"),
    path("<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("<int:event_id>/sessions/new/", views.session_new, name="session_new"),
]
