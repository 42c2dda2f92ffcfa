"""The starting lists of issue tags and skills, from what our first members told us."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

ISSUES = [
    ("health-service", "Health service"),
    ("housing", "Housing"),
    ("education", "Education"),
    ("low-pay", "Low pay"),
    ("zero-hours-contracts", "Zero-hours contracts"),
    ("climate", "Climate and environment"),
    ("public-ownership", "Public ownership"),
    ("welfare", "Welfare and benefits"),
    ("migrants-rights", "Migrants' rights"),
    ("anti-racism", "Anti-racism"),
    ("disability-rights", "Disability rights"),
    ("womens-rights", "Women's rights"),
    ("lgbt-rights", "LGBT+ rights"),
    ("peace", "Peace and anti-war"),
    ("party-democracy", "Party democracy"),
    ("trade-union-rights", "Trade union rights"),
    ("transport", "Public transport"),
    ("arts-culture", "Arts and culture"),
]

SKILLS = [
    ("writing", "Writing and editing"),
    ("design", "Graphic design"),
    ("social-media", "Social media"),
    ("web", "Web and software"),
    ("data", "Data and research"),
    ("legal", "Legal knowledge"),
    ("public-speaking", "Public speaking"),
    ("event-organising", "Organising events"),
    ("chairing", "Chairing meetings"),
    ("canvassing", "Canvassing and door-knocking"),
    ("translation", "Translation"),
    ("bsl", "British Sign Language"),
    ("photography", "Photography and video"),
    ("finance", "Bookkeeping and finance"),
    ("first-aid", "First aid"),
    ("childcare", "Childcare at meetings"),
    ("training", "Training and education"),
    ("union-rep", "Union rep experience"),
]


def add_tags(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    IssueTag = apps.get_model("accounts", "IssueTag")
    Skill = apps.get_model("accounts", "Skill")
    for slug, name in ISSUES:
        IssueTag.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name in SKILLS:
        Skill.objects.get_or_create(slug=slug, defaults={"name": name})


def remove_tags(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("accounts", "IssueTag").objects.filter(slug__in=[s for s, _ in ISSUES]).delete()
    apps.get_model("accounts", "Skill").objects.filter(slug__in=[s for s, _ in SKILLS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_members_consents_and_tags")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
