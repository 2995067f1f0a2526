"""The default playbook: for each life-cycle phase, why it matters, what the team needs to know,
useful tools, and a starting checklist.

These defaults are plain data. A programme sees them until someone edits the phase's guidance or
checklist, or ticks an item: then the phase is copied into the programme (services.playbook_materialise)
and from there on the programme's own copy is what everyone sees. The copy keeps the shipped English
source of every text nobody reworded, so each reader still sees it in their own language (`shown`).
Later changes to these defaults do not reach programmes that already copied a phase.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from konbit.core.models import Phase


@dataclass(frozen=True)
class PhaseDefaults:
    why: Promise
    know: Promise
    tools: Promise
    checklist: tuple[Promise, ...]


DEFAULTS: dict[str, PhaseDefaults] = {
    Phase.PRE_PROJECT: PhaseDefaults(
        why=_(
            "Before anything is designed, the team and its funder agree on what kind of programme this "
            "is: one that works through others and lets the system own the change. Settling this early "
            "avoids a design that quietly turns the team into a service provider."
        ),
        know=_(
            "Who funds the programme and what they expect to see; how much room there is to change course "
            "once work starts; which sectors or places are on the table and why; what other initiatives "
            "are already active there."
        ),
        tools=_(
            "A short concept note; a list of candidate sectors with simple selection criteria; a first "
            "list of organisations and initiatives already known; a conversation with the funder about "
            "flexible, adaptive management."
        ),
        checklist=(
            _("Agree with the funder that the programme facilitates rather than delivers"),
            _("Write down the criteria used to choose sectors or places"),
            _("List other initiatives working in the same area"),
            _("Agree how results will be reported, including systemic change"),
            _("Plan the team's skills: facilitation, market analysis, MEL"),
        ),
    ),
    Phase.ANALYSIS: PhaseDefaults(
        why=_(
            "The team needs to understand why the system does not work well for the people it should "
            "serve before choosing where to push. Symptoms are easy to see; the causes usually sit in "
            "supporting functions or rules."
        ),
        know=_(
            "The core exchange and who takes part in it; which supporting functions and rules shape it "
            "and who performs them; the incentives and capacities of the main actors; where the "
            "underlying causes of weak performance lie."
        ),
        tools=_(
            "The system map (actors, connections, functions); one-to-one conversations with actors; "
            "round tables to test findings; the partner register to record drivers and expectations."
        ),
        checklist=(
            _("Map the actors and how they connect"),
            _("Record which actors perform each supporting function and rule"),
            _("Talk to the main actors about what drives them"),
            _("Identify the causes behind the symptoms, not only the symptoms"),
            _("Share the analysis with partners and record where they disagree"),
        ),
    ),
    Phase.VISIONING: PhaseDefaults(
        why=_(
            "A shared picture of how the system should work once the programme leaves keeps every "
            "intervention pointed in the same direction and tells the team when its job is done."
        ),
        know=_(
            "What a better-working system would look like and who would pay for and perform each "
            "function in it; which changes are realistic within the programme's life; which levers "
            "(lead firms, rules, supporting functions) are most promising."
        ),
        tools=_(
            "A vision of the future system agreed with partners; a 'who does, who pays' table per "
            "function; draft results chains for the first interventions; exit criteria from the start."
        ),
        checklist=(
            _("Describe how the system should work after the programme"),
            _("For each function, note who would do it and who would pay"),
            _("Choose the levers for the first interventions"),
            _("Draft a results chain for each planned intervention"),
            _("Set the rolling-exit criteria"),
        ),
    ),
    Phase.START_UP: PhaseDefaults(
        why=_(
            "The first interventions test whether the strategy holds. Working with a few willing partners, "
            "with light support and shared costs, shows what works before the programme invests more."
        ),
        know=_(
            "Which partners have the will and the capacity to change; what each puts in; the team's role "
            "in each intervention (and how it should shrink); the first signs of adoption and whether "
            "the assumptions in the results chains hold."
        ),
        tools=_(
            "Partner agreements with cost-sharing; the support and co-investment ledger; the engagement "
            "score and early warnings; AAER entries with evidence; regular reviews of each results chain."
        ),
        checklist=(
            _("Sign agreements that include the partner's own contribution"),
            _("Record the team's role in each intervention"),
            _("Record the first adoptions with evidence"),
            _("Review each results chain and save a version"),
            _("Check the co-investment share of every partner"),
            _("Hold a round table to share early results"),
        ),
    ),
    Phase.SCALE_UP: PhaseDefaults(
        why=_(
            "Change that stays with the first partners is not systemic. This phase helps changes spread "
            "to other actors and rules, while the programme steps back partner by partner so that what "
            "it started carries on without it."
        ),
        know=_(
            "Which actors adapted, expanded or copied a change, and who responded to it; which partners "
            "meet the exit criteria; what still depends on programme support; what the team has learned "
            "and who should hear it."
        ),
        tools=_(
            "The AAER board and summary; the rolling-exit page with its 'what if' view; the "
            "competition/cooperation matrix; lessons learned; the funder report."
        ),
        checklist=(
            _("Look for actors that copied or responded to a change"),
            _("Shift effort from single firms to wider rules and functions"),
            _("Review the exit status of every partner"),
            _("Record each exit decision with its reason"),
            _("Plan a post-review after the programme ends"),
        ),
    ),
}


def source(text: Promise) -> str:
    """The shipped text as written in the code (the catalogue's key), whatever language is active."""
    with translation.override(None):
        return str(text)


def _shipped_sources() -> set[str]:
    texts: set[str] = set()
    for d in DEFAULTS.values():
        texts.update(source(t) for t in (d.why, d.know, d.tools, *d.checklist))
    return texts


SHIPPED = _shipped_sources()


def shown(text: str) -> str:
    """A copied phase keeps the shipped text as its source: shown in the reader's language while nobody
    has reworded it; a reworded text is shown as typed."""
    return translation.gettext(text) if text.strip() in SHIPPED else text


def as_source(text: str) -> str:
    """What an editor sends back: a shipped text in the editor's language is stored as its source, so an
    unchanged line keeps its item (and tick) and other readers still see it in their own language."""
    stripped = text.strip()
    for candidate in SHIPPED:
        if translation.gettext(candidate) == stripped:
            return candidate
    return text
