"""From trigger classes to the codebook's event and sub-event types.

The rules follow the codebook's key distinctions, in priority order:

1. chemical weapons, suicide bombs: always that type.
2. Demonstrations: a mob without a protest is Mob violence; rioting is a
   Violent demonstration; a protest where people were killed (or force left
   serious casualties) is Excessive force against protesters; a protest
   met with force (tear gas, dispersal, arrests, shots, an attack) is
   Protest with intervention; otherwise a Peaceful protest.
3. Sexual violence.
4. Weapons disrupted (an IED defused, a drone shot down) unless someone
   was hurt.
5. Remote violence (whoever is hit): air/drone strike, shelling/artillery/
   missile, grenade, remote explosive/landmine/IED — the strongest trigger
   wins.
6. Territory changes: state actors regain, non-state actors overtake.
7. Armed clash (two armed sides fighting).
8. Abduction/forced disappearance, Arrests (by state forces or a group
   that governs the area).
9. Attack (one armed side hitting unarmed people), then looting/property
   destruction.
10. Strategic developments: agreement, base established, non-violent
    transfer of territory, change to group/activity, other.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_TYPE_OF: dict[str, str] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

DISORDER_OF: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}

REMOTE = {
    "air": "Air/drone strike",
    "shelling": "Shelling/artillery/missile attack",
    "grenade": "Grenade",
    "ied": "Remote explosive/landmine/IED",
}
STRATEGIC = {
    "agreement": "Agreement",
    "base": "Headquarters or base established",
    "withdraw": "Non-violent transfer of territory",
    "change": "Change to group/activity",
    "other": "Other",
}
VIOLENT_ON_PROTEST = {"attack", "intervention", "lethal_force", "arrest", "raid", "shelling", "clash"}


@dataclass(frozen=True, slots=True)
class Classification:
    event_type: str
    sub_event_type: str
    disorder_type: str
    deciding_class: str  # the trigger class that decided (its spans are the evidence)


def disorder_type(sub_event_type: str, fatalities: int = 0) -> str:
    event_type = EVENT_TYPE_OF[sub_event_type]
    if event_type == "Protests" and sub_event_type == "Excessive force against protesters" and fatalities > 0:
        return "Political violence; Demonstrations"
    return DISORDER_OF[event_type]


def classification(sub: str, deciding: str, fatalities: int = 0) -> Classification:
    return Classification(EVENT_TYPE_OF[sub], sub, disorder_type(sub, fatalities), deciding)


def classify(
    scores: dict[str, float],
    *,
    fatalities: int = 0,
    injuries: int | None = None,
    agent_inter: int | None = None,
    agent_governs: bool = False,
) -> Classification | None:
    """Decide the sub-event type from trigger-class scores (class -> weight sum)."""
    has = scores.__contains__
    if has("chemical"):
        return classification("Chemical weapon", "chemical", fatalities)
    if has("suicide"):
        return classification("Suicide bomb", "suicide", fatalities)
    if has("violent_protest"):
        return classification("Violent demonstration", "violent_protest", fatalities)
    if has("protest") or has("riot") or has("mob") or has("unrest") or has("brawl"):
        if not (has("protest") or has("riot")):
            if has("unrest") and has("crowd_grievance") and not (has("mob") or has("brawl")):
                # "rioters barricaded roads with burning tires following the
                # killing of two students": the crowd's violence told with
                # what it wants or answers is a demonstration turned violent
                return classification("Violent demonstration", "unrest", fatalities)
            # crowd violence ("rioters", stones, arson, party cadres fighting)
            # with no demonstration, riot or grievance in sight
            return classification("Mob violence", next(c for c in ("mob", "brawl", "unrest") if has(c)), fatalities)
        if has("brawl"):
            # supporters of two camps fighting each other at a rally: the
            # crowds' fight, not the rally, is the event
            return classification("Mob violence", "brawl", fatalities)
        if has("riot") or has("unrest") or has("mob"):
            # (a demonstration whose crowd attacks or lynches turned violent)
            return classification("Violent demonstration", next(c for c in ("riot", "unrest", "mob") if has(c)), fatalities)
        if fatalities > 0 or (has("lethal_force") and injuries):
            # deaths, or people wounded by live fire (the codebook's serious injuries)
            return classification("Excessive force against protesters", "protest", fatalities)
        if any(has(c) for c in VIOLENT_ON_PROTEST):
            return classification("Protest with intervention", "protest", fatalities)
        return classification("Peaceful protest", "protest", fatalities)
    if has("sexual"):
        return classification("Sexual violence", "sexual", fatalities)
    if has("disrupted") and fatalities == 0 and not injuries and not has("clash"):
        # (weapons seized in a clash are its spoils: the clash is the event, below)
        return classification("Disrupted weapons use", "disrupted", fatalities)
    if (best := _strongest(REMOTE, scores)) is not None:
        if best == "shelling" and has("answered"):
            # shelling the side it hit answered ("fired back", "responded with
            # mortars"): the two sides fought
            return classification("Armed clash", "clash", fatalities)
        if best == "ied" and has("clash"):
            # a mine or roadside bomb that opens an ambush or an exchange of
            # fire is part of the battle
            return classification("Armed clash", "clash", fatalities)
        return classification(REMOTE[best], best, fatalities)
    if has("territory"):
        if (has("withdraw") or has("nonviolent")) and not has("clash"):
            # control changing hands without a fight ("took control
            # peacefully", "after the Houthis left the area"); the side
            # taking control acts
            return classification("Non-violent transfer of territory", "territory", fatalities)
        if agent_inter == 1:
            return classification("Government regains territory", "territory", fatalities)
        return classification("Non-state actor overtakes territory", "territory", fatalities)
    if has("clash"):
        return classification("Armed clash", "clash", fatalities)
    if has("abduction") and not (has("attack") and (fatalities > 0 or injuries)):
        # (people killed or wounded besides those taken, or a captive found
        # dead: the attack is the event, below)
        return classification("Abduction/forced disappearance", "abduction", fatalities)
    if has("arrest") and not has("attack"):
        # (people shot or beaten and arrested, or an attacker arrested
        # afterwards: the attack is the event, below)
        if agent_inter in (2, 3, 4, 8) and not agent_governs:
            # only a state's own forces, or a group that governs the area
            # (conventions.yaml de_facto_authorities), arrest: people another
            # armed group, a militia or a foreign army detains are abducted
            return classification("Abduction/forced disappearance", "arrest", fatalities)
        return classification("Arrests", "arrest", fatalities)
    if has("attack"):
        return classification("Attack", "attack", fatalities)
    if has("looting"):
        return classification("Looting/property destruction", "looting", fatalities)
    if has("disrupted"):
        return classification("Disrupted weapons use", "disrupted", fatalities)
    if (best := _strongest(STRATEGIC, scores)) is not None:
        return classification(STRATEGIC[best], best, fatalities)
    return None


def _strongest(classes: dict[str, str], scores: dict[str, float]) -> str | None:
    """The class of ``classes`` with the strongest trigger, if any matched."""
    present = [c for c in classes if c in scores]
    return max(present, key=lambda c: scores[c]) if present else None


# Which trigger classes can be one incident across sentences: a new sentence
# whose main class is in another family starts a new event.
FAMILY: dict[str, str] = {
    "protest": "demo", "riot": "demo", "mob": "demo", "unrest": "demo", "intervention": "demo", "brawl": "demo",
    "violent_protest": "demo",
    "clash": "violence", "territory": "violence", "shelling": "violence", "air": "violence",
    "ied": "violence", "suicide": "violence", "grenade": "violence", "chemical": "violence",
    "attack": "violence", "abduction": "violence", "sexual": "violence", "looting": "violence",
    "disrupted": "violence", "raid": "violence", "nonviolent": "violence",
    "arrest": "arrest",
    "agreement": "strategic", "base": "strategic", "withdraw": "strategic", "change": "strategic",
    "other": "strategic",
}
