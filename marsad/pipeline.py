"""The pipeline: a short numbered cascade over one module per stage.

    0. ingest      files / JSONL / stdin         -> Document        (marsad.ingest)
    1. clean       HTML or scraped text          -> CleanDocument   (marsad.clean)
    2. segment     cleaned text                  -> sentences       (marsad.segment)
    3. mentions    sentences                     -> triggers, actors, counts, dates, places
                                                                    (marsad.mentions.*)
       geocode     place mentions                -> resolved places (marsad.geo)
    4. events      mentions                      -> coded events    (marsad.events)
    5. merge       events of many documents      -> incidents       (marsad.merge, run by
                                                                    marsad.store.merging as
                                                                    events are stored)

A ``Pipeline`` loads the dictionaries, compiles the matchers and opens the
gazetteer once; ``process`` is then a pure function of one document. A
document that fails is returned with a reason (``DocumentResult.rejected``),
never raised, so one bad report never stops a batch.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from marsad.clean import clean
from marsad.errors import MarsadError
from marsad.events.assemble import CountryNamer, SentenceMentions, build_events
from marsad.events.classify import REMOTE
from marsad.events.conventions import load_conventions, report_areas, separately_coded
from marsad.events.relevance import apply_document_context, is_political_actor
from marsad.knowledge import load_knowledge
from marsad.knowledge.lexicons import load_numbers, load_triggers
from marsad.merge.sources import load_sources
from marsad.mentions.actors import ActorMatcher
from marsad.mentions.countries import CountryMentions
from marsad.mentions.counts import find_counts
from marsad.mentions.dates import find_dates
from marsad.mentions.places import OBJECT_CUE, find_places
from marsad.mentions.triggers import find_triggers, is_background
from marsad.records import ActorMention, CleanDocument, Document, DocumentResult, Event, PlaceMention, ResolvedPlace, Span
from marsad.segment import segment

# A document that takes longer than this is skipped with a reason rather
# than stalling a batch. Ordinary reports take about a millisecond; only
# pathological input comes near this. The budget is checked between stages
# and between sentences; no single step can run long on its own, because
# every stage is linear in its input or works on one sentence (at most
# segment.MAX_SENTENCE_CHARS), and the cleaned text is cut at
# MAX_CLEAN_CHARS (tests/test_hostile_inputs.py times each stage on
# hostile input).
DEFAULT_TIME_BUDGET_S = 5.0

# Longest cleaned text we extract from (characters). Beyond it the text is
# cut and a warning recorded: monitor reports are a few thousand
# characters, a 2 MB "article" is a scraped archive page.
MAX_CLEAN_CHARS = 500_000

# Place mentions geocoded together. Joint resolution scores every
# candidate against the other places' candidates (quadratic: 200 mentions
# took 19 s); reports name a handful of places, so more than this is a list
# or hostile text, resolved in consecutive windows (nearby mentions are the
# useful context) with the time budget checked between windows.
MAX_JOINT_PLACES = 40


@dataclass
class Pipeline:
    """Everything loaded once: dictionaries, matchers, gazetteer."""

    gazetteer_path: str | None = None
    country_hint: str | None = None
    time_budget_s: float = DEFAULT_TIME_BUDGET_S

    def __post_init__(self) -> None:
        knowledge = load_knowledge()
        self._knowledge = knowledge
        self._triggers = load_triggers()
        load_conventions()  # coders' note conventions (a bad file fails here, not per document)
        self._numbers = load_numbers()
        self._kinds = {name: c.kind for name, c in self._triggers.classes.items()}
        self._actors = ActorMatcher(knowledge.actor_aliases(), knowledge.modifier_nouns, knowledge.name_patterns,
                                    knowledge.introduced_names)
        self._sources = load_sources()
        self._gazetteer = None
        table = knowledge.countries
        self._country_mentions = CountryMentions(table.all())

        # (through a weak reference: a closure holding the pipeline would make
        # it a cycle, its matchers and dictionaries freed only by the cycle
        # collector once it is dropped, after the next one has loaded; issue 7)
        this = weakref.ref(self)

        def _name(cc: str) -> str:
            c = table.by_iso2(cc)
            return c.name if c else (this()._gaz().country_name(cc) if cc else "")

        def _iso(cc: str) -> int | None:
            c = table.by_iso2(cc)
            return c.iso if c else None

        def _region(cc: str) -> str:
            c = table.by_iso2(cc)
            return c.region if c else ""

        def _code_of(word: str) -> str:
            c = table.by_name(word)
            return c.iso2 if c else ""

        self._countries = CountryNamer(_name, _iso, _region, knowledge.fill_name, knowledge.conventional_name,
                                       _code_of)

    # -- loading ---------------------------------------------------------
    def _gaz(self):
        if self._gazetteer is None:
            from marsad.geo import Gazetteer

            self._gazetteer = Gazetteer.open(self.gazetteer_path)
        return self._gazetteer

    def load(self) -> "Pipeline":
        """Open what is otherwise opened by the first document (the
        gazetteer: a first run builds the bundled index); returns this
        pipeline. A process that forks workers calls it first, so they
        inherit one loaded copy instead of each opening their own."""
        self._gaz()
        return self

    def after_fork(self) -> None:
        """Call in a process forked from the one that built this pipeline:
        an opened gazetteer then reads through a connection of its own."""
        if self._gazetteer is not None:
            self._gazetteer.reconnect_after_fork()

    def close(self) -> None:
        if self._gazetteer is not None:
            self._gazetteer.close()
            self._gazetteer = None

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the cascade -------------------------------------------------------
    def process(self, document: Document) -> DocumentResult:
        try:
            # loaded once, before the document's time budget starts: a first
            # run builds the bundled index, a new marsad upgrades an old one
            self._gaz()
        except MarsadError as err:
            return DocumentResult(document, None, rejected=str(err))
        started = time.perf_counter()
        try:
            # 1. clean
            cleaned = clean(document)
            if self._over_budget(started):
                return self._timed_out(document, cleaned)
            if not cleaned.text.strip():
                reason = "no text left after cleaning" + (f" ({', '.join(cleaned.removed)})" if cleaned.removed else "")
                return DocumentResult(document, cleaned, rejected=reason)
            warnings: list[str] = []
            if len(cleaned.text) > MAX_CLEAN_CHARS:
                cleaned = replace(cleaned, text=cleaned.text[:MAX_CLEAN_CHARS])
                warnings.append(f"text cut at {MAX_CLEAN_CHARS} characters")
            # 2. segment
            sentences = segment(cleaned)
            if self._over_budget(started):
                return self._timed_out(document, cleaned)
            # 3. mentions
            per_sentence = []
            all_places: list[PlaceMention] = []
            for sentence in sentences:
                if self._over_budget(started):
                    return self._timed_out(document, cleaned)
                actors, places = _split_names(self._actors.find(sentence), find_places(sentence))
                all_places.extend(places)
                # (the words of another event the note coded apart are not this one's)
                apart = [(sentence.start + a, sentence.start + b) for a, b in separately_coded(sentence.text)]
                per_sentence.append((
                    sentence,
                    tuple(
                        # a trigger word inside an organisation's name ("Islamic
                        # Party of Liberation") is part of the name, not an action;
                        # generic actors ("protesters", "a mob") keep their trigger
                        # (a longer trigger phrase that holds a name, "cadres of the
                        # Nepali Congress clashed with ...", is kept; so is a
                        # remote-violence weapon in a state force's name,
                        # "Russian airstrikes")
                        t for t in find_triggers(sentence, self._triggers, armed=any(map(is_political_actor, actors)))
                        if not any(t.span.start < a.span.end and a.span.start < t.span.end
                                   and t.span.end - t.span.start <= a.span.end - a.span.start
                                   and not (a.kind == "state" and t.sub_event_type in REMOTE)
                                   for a in actors if a.kind in ("named", "state"))
                        and not any(a <= t.span.start and t.span.end <= b for a, b in apart)
                    ),
                    tuple(actors),
                    tuple(find_counts(sentence, self._numbers)),
                    tuple(find_dates(sentence, cleaned.published)),
                    places,
                    is_background(sentence, self._triggers),
                ))
            #    geocode every place of the document together (context helps)
            all_actors = [a for item in per_sentence for a in item[2]]
            votes = self._country_mentions.votes(cleaned.text, all_actors)
            resolved = self._resolve(all_places, votes, started, report_areas(cleaned.text))
            if resolved is None:
                return self._timed_out(document, cleaned)
            doc_country = self.country_hint or _top_country(votes, resolved.values())
            if self._over_budget(started):
                return self._timed_out(document, cleaned)
            #    a name several actors share is read in the document's country
            items = [
                SentenceMentions(s, trig, self._actors.in_country(act, doc_country), cnt, dts,
                                 tuple((p, resolved[id(p)]) for p in places if id(p) in resolved), bg)
                for s, trig, act, cnt, dts, places, bg in per_sentence
            ]
            #    a document about an accident, a disaster or crime reports no political event
            items = apply_document_context(items, self._triggers)
            # 4. events, with their outlet's canonical name and scale (marsad.merge.sources);
            #    merging events across documents (5.) happens where they are stored
            events = build_events(cleaned, items, self._kinds, self._countries, doc_country=doc_country)
            url = cleaned.url or document.url
            events = [self._sources.attribute(e, url) for e in events]
            return DocumentResult(document, cleaned, tuple(events), warnings=tuple(warnings))
        except MarsadError as err:
            return DocumentResult(document, None, rejected=str(err))
        except RecursionError:
            return DocumentResult(document, None, rejected="document too deeply nested to process")
        except Exception as err:  # noqa: BLE001 - one bad document is recorded and skipped, never fatal
            return DocumentResult(document, None,
                                  rejected=f"internal error while processing: {type(err).__name__}: {err}"[:300])

    def _over_budget(self, started: float) -> bool:
        return time.perf_counter() - started > self.time_budget_s

    def _timed_out(self, document: Document, cleaned) -> DocumentResult:
        return DocumentResult(document, cleaned, rejected=f"time budget of {self.time_budget_s:g} s exceeded")

    def _resolve(self, places: list[PlaceMention], votes: dict[str, float],
                 started: float, front: tuple[str, str, tuple[str, ...]] | None = None) -> dict[int, ResolvedPlace] | None:
        """Resolved places by id of their mention; None when over the time budget.
        ``front``: (country, line, admin areas) when the text is an observer's
        report on a front line (its places are looked for there first)."""
        if not places:
            return {}
        from marsad.geo import resolve

        resolved: dict[int, ResolvedPlace] = {}
        for first in range(0, len(places), MAX_JOINT_PLACES):
            if self._over_budget(started):
                return None
            window = places[first:first + MAX_JOINT_PLACES]
            hint, areas = (self.country_hint or front[0], front[2]) if front else (self.country_hint, ())
            results = resolve(window, self._gaz(), country_hint=hint, admin_hints=areas, country_votes=votes)
            resolved.update((id(p), r) for p, r in zip(window, results))
        return resolved

    def locate(self, cleaned: CleanDocument) -> list[tuple[PlaceMention, ResolvedPlace | None]]:
        """Place names alone, found and geocoded as ``process`` does (stages 2,
        3 and geocode, without cleaning, so spans are offsets into
        ``cleaned.text``): the place mentions the pipeline keeps, in order,
        each with its resolution (None when over the time budget). Used to
        score place recognition on gold toponym spans."""
        started = time.perf_counter()
        places: list[PlaceMention] = []
        actors: list[ActorMention] = []
        for sentence in segment(cleaned):
            found_actors, found_places = _split_names(self._actors.find(sentence), find_places(sentence))
            actors.extend(found_actors)
            places.extend(found_places)
        resolved = self._resolve(places, self._country_mentions.votes(cleaned.text, actors), started) or {}
        return [(p, resolved.get(id(p))) for p in places]

    def process_many(self, documents: Iterable[Document]) -> Iterator[DocumentResult]:
        for document in documents:
            yield self.process(document)


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _split_names(actors: list[ActorMention], places: list[PlaceMention]) -> tuple[list[ActorMention], list[PlaceMention]]:
    """Where an actor name and a place name overlap, the longer one is what
    the text says: "Islamic State" is no place, but "Lashkar Gah" is a town,
    not the "Lashkar" of an armed group's alias."""
    kept_places = [p for p in places
                   if not any(_overlaps(p.span, a.span) and (p.cue == OBJECT_CUE or a.span.end - a.span.start >= p.span.end - p.span.start)
                              for a in actors)]
    kept_actors = [a for a in actors if not any(_overlaps(a.span, p.span) for p in kept_places)]
    return kept_actors, kept_places


def _top_country(votes: dict[str, float], resolved: Iterable[ResolvedPlace]) -> str:
    """The document's country for events without a place of their own."""
    tally = dict(votes)
    for r in resolved:
        if r.country_code and r.latitude is not None:
            tally[r.country_code] = tally.get(r.country_code, 0.0) + 1.0
    if not tally:
        return ""
    return max(sorted(tally), key=lambda cc: tally[cc])


def extract(
    text: str,
    published: date | None = None,
    *,
    kind: str = "text",
    doc_id: str = "",
    title: str = "",
    source: str = "",
    pipeline: Pipeline | None = None,
) -> list[Event]:
    """Library entry point: the events in one report.

    >>> events = extract("On 3 May 2022, police arrested six protesters in Homs.", published=date(2022, 5, 5))
    """
    from marsad.ingest import document_id

    document = Document(
        id=doc_id or document_id(text),
        raw=text,
        kind=kind,
        published=published,
        published_from="input" if published else "",
        title=title,
        source=source,
        origin="<library>",
    )
    if pipeline is not None:
        return list(pipeline.process(document).events)
    with Pipeline() as own:
        return list(own.process(document).events)
