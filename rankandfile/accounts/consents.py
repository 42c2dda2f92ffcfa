"""The processing purposes a member consents to, each with its versioned text and lawful basis.

Political opinion and party membership are special category data (UK GDPR Article 9). Each
purpose has its own explicit consent (Article 9(2)(a)); the text shown is versioned so that every
consent record says exactly what the member agreed to. Changing a text means adding a new version
here: records keep the version they were given under.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class ConsentPurpose(models.TextChoices):
    MEMBERSHIP = "membership", "Membership of the network"
    CAMPAIGN_EMAIL = "campaign_email", "Campaign email"
    INTRODUCTIONS = "introductions", "Introductions"


LAWFUL_BASIS = "UK GDPR Article 6(1)(a) consent and Article 9(2)(a) explicit consent"


@dataclass(frozen=True)
class ConsentText:
    purpose: ConsentPurpose
    version: str
    summary: str
    text: str
    required: bool = False
    lawful_basis: str = LAWFUL_BASIS


CONSENT_TEXTS: dict[str, ConsentText] = {
    consent.purpose: consent
    for consent in (
        ConsentText(
            purpose=ConsentPurpose.MEMBERSHIP,
            version="2026-11-01",
            summary="Keep my membership of the network and of the groups I join.",
            text=(
                "I agree that Rank and File keeps my display name, postcode district, interests, "
                "skills and the groups I join, so that I can take part in the network. This "
                "reveals my political opinions, which are special category data. It is never "
                "shared outside the platform. I can withdraw at any time; my group memberships "
                "then end."
            ),
            required=True,
        ),
        ConsentText(
            purpose=ConsentPurpose.CAMPAIGN_EMAIL,
            version="2026-11-01",
            summary="Send me campaign updates and digests by email.",
            text=(
                "I agree to receive campaign updates and digests from the groups I belong to. "
                "Service messages (ballots opening, password resets) are sent regardless. I can "
                "withdraw at any time, or unsubscribe with one click from any campaign email."
            ),
        ),
        ConsentText(
            purpose=ConsentPurpose.INTRODUCTIONS,
            # 2026-12-07: introductions on request (to a group, or to members with a skill).
            version="2026-12-07",
            summary=(
                "Put me in touch with other members and groups: let organisers of my groups see "
                "my email address, and send me requests for introductions."
            ),
            text=(
                "I agree that organisers of the groups I belong to may see my email address, to "
                "introduce me to other members and groups; that I may ask for introductions; "
                "and that a member looking for someone with a skill I offer near my postcode "
                "district may have their request sent to me. Nobody is told that a request "
                "reached me unless I accept it. When an introduction is accepted, each side "
                "sees the contact detail the other chose (email, or a phone number) until "
                "either side withdraws. Without this consent organisers see only my display "
                "name and requests do not reach me. I can withdraw at any time; my "
                "introductions then close."
            ),
        ),
    )
}

# What withdrawing each consent does, said on the page that asks "are you sure?" first.
# (Withdrawing consent to membership also lists the groups whose membership ends.)
WITHDRAWAL_CONSEQUENCES: dict[str, list[str]] = {
    ConsentPurpose.MEMBERSHIP: [
        "Your requests to join groups are withdrawn.",
        "To join a group again you must give this consent again and join anew.",
        "Your backing of campaigns stops counting and your name is no longer shown on them; "
        "to back them again, give this consent again and back them anew.",
    ],
    ConsentPurpose.CAMPAIGN_EMAIL: [
        "You get no more campaign updates or digests from any group.",
        "Service messages (ballots opening, pledges triggered, password resets) still come.",
    ],
    ConsentPurpose.INTRODUCTIONS: [
        "Organisers of your groups no longer see your email address, only your display name.",
        "Your requests for introductions, and the introductions you accepted, are withdrawn: "
        "nobody sees your contact details through them any more.",
        "Requests for introductions no longer reach you.",
    ],
}
