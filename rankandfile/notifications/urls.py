from django.urls import path

from rankandfile.notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/messages/", views.message_kinds, name="message_kinds"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox_status, name="outbox_status"),
]
