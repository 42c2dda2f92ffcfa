from django.contrib import admin

from rankandfile.campaigns.models import Campaign, Demand, Stage

# Pledges, vouches and tallies are deliberately not registered: nobody, admins included, can list
# who pledged through the admin site.


class DemandInline(admin.TabularInline[Demand, Campaign]):
    model = Demand
    fields = ["position", "text", "status"]
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["title", "group", "state"]
    list_filter = ["state"]
    search_fields = ["title"]
    inlines = [DemandInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin[Stage]):
    list_display = ["campaign", "number", "state", "deadline"]
    list_filter = ["state"]
    exclude = ["verdict_ballot"]
