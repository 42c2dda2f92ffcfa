from django.urls import path

from rankandfile.groups import affiliation_views, member_list_views, views

app_name = "groups"

# Some pages of this namespace act across apps and live above groups (see rankandfile/urls.py):
# "detail" and "manage" (rankandfile.views); "invite", "import", "import_preview" and
# "affiliation" (notifications).

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_create, name="create"),
    path("map/", views.network_map, name="map"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/join/", views.group_join, name="join"),
    path("<slug:slug>/leave/", views.group_leave, name="leave"),
    path("<slug:slug>/manage/edit/", views.group_edit, name="edit"),
    path("<slug:slug>/manage/requests/", views.join_requests, name="requests"),
    path("<slug:slug>/manage/requests/decide/", views.join_request_decide, name="decide_request"),
    path("<slug:slug>/manage/members.csv", views.member_export, name="member_export"),
    path("<slug:slug>/manage/members/role/", views.membership_role, name="member_role"),
    path("<slug:slug>/members/", member_list_views.member_list, name="members"),
    path("<slug:slug>/members/listing/", member_list_views.member_listing, name="listing"),
    path(
        "<slug:slug>/manage/affiliation/leave/",
        affiliation_views.affiliation_leave,
        name="affiliation_leave",
    ),
]
