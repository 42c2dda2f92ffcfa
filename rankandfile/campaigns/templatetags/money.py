from __future__ import annotations

from django import template

from rankandfile.lib import money

register = template.Library()
register.filter("pounds", money.pounds)
