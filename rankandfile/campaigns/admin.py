from django.contrib import admin
from django.http import HttpRequest

from rankandfile.campaigns.models import Campaign, Demand, Stage
from rankandfile.lib.admin import LockedModelAdmin

# Pledges, vouches and tallies are deliberately not registered: nobody, admins included, can list
# who pledged through the admin site.


class DemandInline(admin.TabularInline[Demand, Campaign]):
    model = Demand
    fields = ["position", "text", "status"]
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(LockedModelAdmin[Campaign]):
    # The state moves only through the services (open, the deadline jobs, the verdict), which
    # queue the messages and the verdict ballot in the same transaction; an admin who edited it
    # by hand would skip them. Campaigns are created by organisers, through the service.
    list_display = ["title", "group", "state"]
    list_filter = ["state"]
    search_fields = ["title"]
    readonly_fields = ["state"]
    inlines = [DemandInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Stage)
class StageAdmin(LockedModelAdmin[Stage]):
    # A stage's state, deadline, thresholds and verdict settings decide when the deadline job
    # releases it, triggers it or puts it to the pledgers' verdict: they change only through the
    # services. Only its wording may be corrected here.
    list_display = ["campaign", "number", "state", "deadline"]
    list_filter = ["state"]
    exclude = ["verdict_ballot"]
    readonly_fields = [
        "campaign",
        "number",
        "deadline",
        "threshold_people",
        "threshold_amount_pence",
        "state",
        "verdict_days",
        "verdict_quorum_percent",
        "act_within_days",
        "triggered_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
