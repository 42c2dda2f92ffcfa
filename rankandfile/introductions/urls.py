from django.urls import path

from rankandfile.introductions import views

app_name = "introductions"

urlpatterns = [
    path("", views.introductions_mine, name="mine"),
    path("contact/", views.introduction_contact, name="contact"),
    path("find/", views.introduction_ask_skill, name="ask_skill"),
    path("groups/<slug:slug>/ask/", views.introduction_ask_group, name="ask_group"),
    path("groups/<slug:slug>/", views.introductions_to_group, name="group"),
    path("<int:introduction_id>/answer/", views.introduction_answer, name="answer"),
    path("<int:introduction_id>/withdraw/", views.introduction_withdraw, name="withdraw"),
]
