"""Rule-based event classification of news sentences about 287(g) and sanctuary policies.

Every sentence gets exactly one of EVENT_KINDS, a confidence in [0, 1] and the supporting span (the
sentence). The rules read the language of headlines and news copy, not a sample:

- triggers are verb families in every tense and headline form ("signs", "signed", "inks", "joins",
  "pulls out of", "voted 3-2 to approve", "judge blocks" …), matched on a normalised lower-case copy;
- a topic gate (287(g), ICE, agreement, task force, immigration …) keeps "signed the budget" out;
- governing-body look-alikes are masked first: a Texas "Commissioners Court" and "County Judge" are a
  board and its chair, not a court and a judge; "declined to comment" is not a refusal;
- negation ("did not sign", "has no plans to end") turns a trigger into `other`, refusal ("refused to
  join", "will not sign") into `rejected`;
- modality ("will consider", "plans to join", "could sign", "vote on whether to join") turns signing
  and approving into `applied_or_considering`;
- triggers inside subordinate or relative clauses ("the agreement it signed in 2019", "after a judge
  ruled") are demoted, so the main verb wins; ties go to the earlier trigger.

Nothing here is learned from data; `flows/news/evaluate.py` measures it on a labelled set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EVENT_KINDS = (
    "signed_or_joined",
    "applied_or_considering",
    "board_approved",
    "ended_or_withdrawn",
    "rejected",
    "lawsuit_or_ruling",
    "sanctuary_policy_adopted",
    "sanctuary_policy_rescinded",
    "state_law",
    "other",
)


@dataclass(frozen=True)
class Event:
    """One classified sentence: the kind, how sure, the sentence and where it sits in the text."""

    event_kind: str
    confidence: float
    span: str
    start: int = 0
    end: int = 0
    trigger: str = ""


# --- normalisation -------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                         "\u00a0": " "})

# Look-alikes masked before matching (order matters: longest first).
_MASKS = [
    (r"commissioners'?\s+court", "commissioners_board"),
    (r"\bquorum\s+court", "quorum_board"),
    (r"\bfiscal\s+court", "fiscal_board"),
    (r"\bcounty\s+judge", "county_executive"),
    (r"\bjudge\s+executive", "county_executive"),
    (r"\bwhite\s+house", "white_residence"),
    (r"\bdeclin(?:e|es|ed|ing)\s+(?:to\s+)?(?:comment|respond|elaborate|answer|say)\w*", "no_comment"),
    (r"\brefus(?:e|es|ed|ing)\s+to\s+(?:comment|respond|answer|say)\w*", "no_comment"),
    (r"\bjoined\s+by\b", "alongside"),
    (r"\brul(?:ed|es|ing)\s+out\b", "ruled_out"),
    (r"\b(?:meeting|session|hearing|debate|discussion|forum|event|conference)\s+(?:ended|ends)\b", "meeting_closed"),
    (r"\b(?:the|an|its|their|year'?s?|month'?s?|week'?s?)\s+end\b", "the_finish"),
    (r"\bend(?:s|ed)?\s+up\b", "wound_up"),
    (r"\bsign(?:s)?\s+of\b", "hint_of"),
    (r"\bwarning\s+signs?\b", "warnings"),
    (r"\bstreet\s+signs?\b", "street_markers"),
    (r"\bcourt\s+(?:records|documents|filings)\s+show\b", "records_show"),
]


def normalise(text: str) -> str:
    """Lower-case, straighten quotes and dashes, spell 287(g) one way, mask look-alikes."""
    t = text.translate(_QUOTES).lower()
    t = re.sub(r"\b287\s*\(?\s*g\s*\)?(?=\W|$)", "287(g)", t)
    for pattern, repl in _MASKS:
        t = re.sub(pattern, repl, t)
    return t


_ABBREV = r"(?:gov|sen|rep|st|co|dept|mr|mrs|ms|dr|jan|feb|mar|apr|aug|sept|sep|oct|nov|dec|no|vs|inc|u\.s|a\.m|p\.m|lt|sgt|capt|atty|gen|ft|mt|jr|sr|d\.c|n\.c|s\.c|n\.j|n\.y)"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences: split after . ! ? followed by space and a capital or quote."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"')\]]*\s+(?=[\"'\u201c(]?[A-Z0-9])|\s*\n\s*", text):
        before = text[max(0, m.start() - 6): m.start() + 1].lower()
        if re.search(r"(?:^|[\s(])" + _ABBREV + r"\.$", before) or re.search(r"\b[a-z]\.$", before):
            continue
        end = m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    # trim whitespace from each span
    out = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        out.append((s + lead, e - trail))
    return out


# --- vocabulary ----------------------------------------------------------------------------------

TOPIC = re.compile(
    r"287\(g\)|\bice\b|immigration|immigrants?\b|deport\w*|task force|jail enforcement|warrant service|"
    r"memorand\w+|\bmoas?\b|\bmous?\b|agreements?\b|partnerships?\b|program\b|programs\b|contracts?\b|"
    r"\bpacts?\b|\bdeals?\b|detainers?\b|homeland security|\bdhs\b|federal (?:officials|authorities|agents|"
    r"government|partners?)|enforcement model|sanctuary|undocumented|illegal aliens?|noncitizens?|"
    r"non-citizens?|border"
)
SANCTUARY = re.compile(
    r"sanctuary|welcoming (?:city|county|ordinance|policy|resolution)|trust act|"
    r"(?:ordinance|policy|resolution|order|directive)\w* (?:that |which )?(?:limit|restrict|bar|prohibit|ban)\w* "
    r"(?:cooperation|police|officers|deputies|local|the (?:city|county)|employees|jail)|"
    r"limit\w* (?:cooperation|collaboration) with (?:ice|federal immigration)|"
    r"(?:stop|stops|stopped|end\w*) honou?ring (?:ice )?detainers|not (?:to )?honou?r (?:ice )?detainers|"
    r"(?:ignor|refus|declin)\w* (?:to honou?r )?(?:ice |immigration )?(?:detainers|holds)|"
    r"policy of not (?:honou?ring|cooperating|complying)"
)
LEGISLATIVE_ACTOR = re.compile(
    r"\bgovernor\b|\bgov\.|legislature|lawmakers|general assembly|\bstate (?:house|senate|representatives?|"
    r"senators?|lawmakers)\b|\bhouse\b|\bsenate\b|legislators\b|\bassembly\b|statehouse|capitol"
)
BILL = re.compile(
    r"\bbills?\b|\blaws?\b|legislation|statutes?\b|\b(?:sb|hb|ab|sf|hf|lb|s\.b\.|h\.b\.)\s?\d+|senate bill|house bill|"
    r"\bmeasure\b|\bact\b"
)
STATE_BILL = re.compile(
    r"\bbills?\b|senate bill|house bill|assembly bill|\b(?:sb|hb|ab|sf|hf|lb)\s?\d+|\bstate laws?\b|\bnew law\b|"
    r"into law|\b[a-z]+ (?:values|trust|safety) act\b"
)
BODY = re.compile(
    r"\bboard\b|commission(?:ers?)?\b|commissioners_board|quorum_board|fiscal_board|county_executive|"
    r"\bcouncil\b|council ?members|supervisors|aldermen|selectmen|freeholders|trustees|"
    r"county legislat\w+|\bcommissioners\b|\bmagistrates\b|\bvoters\b"
)
CRIMINAL = re.compile(r"sentenc\w+|pleaded|pled guilty|convicted|arraign\w+|indicted|charged with|\bbond\b|jury")

_T = r"(?:\s+(?:the|a|an|its|their|his|her|our))?"  # optional determiner

# (kind, base confidence, pattern). Patterns run on the normalised sentence.
RULES: list[tuple[str, float, re.Pattern[str]]] = [
    # lawsuits and rulings
    ("lawsuit_or_ruling", 0.85, re.compile(
        r"\b(?:sue[sd]?|suing|lawsuits?|class[- ]action|judges?|justices|court(?:s|room)?|injunctions?|"
        r"restraining order|ruled|(?:file[sd]?|filing)\s+(?:a\s+)?suit|suits?\s+(?:over|against|challenging)|rules that|ruling|unconstitutional|appeals?|plaintiffs?|"
        r"complaint (?:filed|against)|legal challenge|settle(?:d|s|ment) (?:a |the )?(?:suit|lawsuit|case))\b")),
    # state law
    ("state_law", 0.9, re.compile(r"\b(?:sign\w*|passe[sd]|enacted|became law)\s+(?:\w+\s+){0,6}?into law\b|"
                                  r"\binto law\b")),
    ("state_law", 0.9, re.compile(
        r"\b(?:must|shall|signs?|signed|signing|pass(?:es|ed|ing)?|approv(?:es|ed|ing)|enact(?:s|ed)|advanc(?:es|ed)|"
        r"clear(?:s|ed)|veto(?:es|ed)?|send(?:s)? |sent |takes effect|took effect|goes into effect|"
        r"went into effect|requir(?:es|ed|ing)|mandat(?:es|ed|ing)|ban(?:s|ned|ning)?|prohibit(?:s|ed)|"
        r"outlaw(?:s|ed)|forbid(?:s|den)?)\b")),
    # sanctuary policies
    ("sanctuary_policy_rescinded", 0.85, re.compile(
        r"\b(?:repeal\w*|rescind\w*|revok\w*|revers\w*|overturn\w*|scrap\w*|abandon\w*|undo(?:es)?|undid|"
        r"roll(?:s|ed)? back|drop(?:s|ped)?|end(?:s|ed|ing)?|lift(?:s|ed)|no longer (?:a|be)|stopp?\w* being|"
        r"reinstat\w+ cooperation|resume[sd]? (?:cooperation|honou?ring))\b")),
    ("sanctuary_policy_adopted", 0.85, re.compile(
        r"\b(?:adopt\w*|pass(?:es|ed)?|approv(?:es|ed)|enact\w*|declar(?:es|ed|ing)|becom(?:es|e|ing)|became|"
        r"voted to (?:become|declare|adopt|limit|restrict|bar)|issu(?:es|ed)|signs?|signed|unveil\w*|"
        r"introduc\w+|implement\w*|stop(?:s|ped)? honou?ring|limit(?:s|ed)|restrict(?:s|ed)|bar(?:s|red))\b")),
    # ended / withdrawn
    ("ended_or_withdrawn", 0.85, re.compile(
        r"\b(?:end(?:s|ed|ing)?|terminat(?:e|es|ed|ing|ion)|pull(?:s|ed|ing)?\s+(?:\S+\s+){0,3}?out\s+of|"
        r"withdr(?:ew|aw|aws|awn|awing|awal)|exit(?:s|ed|ing)?|cancel(?:s|ed|led|ing|lation)?|"
        r"rescind(?:s|ed|ing)?|scrap(?:s|ped|ping)?|let\s+(?:\S+\s+){0,5}?(?:expire|lapse)|"
        r"allow(?:s|ed)?\s+(?:\S+\s+){0,5}?to\s+(?:expire|lapse)|not\s+to\s+renew|not\s+renew(?:ing)?|(?:won't|didn't|wouldn't)\s+renew|"
        r"cut(?:s|ting)?\s+ties|back(?:s|ed|ing)?\s+out\s+of|opt(?:s|ed)?\s+out\s+of|quit(?:s|ting)?|"
        r"drop(?:s|ped|ping)?|suspend(?:s|ed|ing)?|discontinu\w+|no\s+longer\s+(?:participat\w+|part\s+of|"
        r"in\s+the|has|have|takes? part)|walk(?:s|ed)?\s+away\s+from|sever(?:s|ed)|halt(?:s|ed)|"
        r"dissolv\w+|abandon(?:s|ed)?)\b")),
    # rejected
    ("rejected", 0.85, re.compile(
        r"\b(?:reject(?:s|ed|ing)?|vot(?:e|es|ed|ing)\s+down|vot(?:e|es|ed|ing)\s+(?:\d+\s*-\s*\d+\s+)?against|"
        r"vot(?:e|es|ed)\s+(?:\d+\s*-\s*\d+\s+)?not\s+to|declin(?:e|es|ed|ing)\s+to\s+\w+|declin(?:e|es|ed)\b|"
        r"refus(?:e|es|ed|ing)\s+to\s+\w+|turn(?:s|ed)?\s+down|kill(?:s|ed)|shot\s+down|shoots\s+down|"
        r"den(?:y|ies|ied)|say(?:s)?\s+no\s+to|said\s+no\s+to|spurn(?:s|ed)|"
        r"rebuff(?:s|ed)|nix(?:es|ed)|ruled_out|(?:won't|will\s+not|would\s+not|does\s+not\s+plan\s+to|doesn't\s+plan\s+to|"
        r"has\s+no\s+plans?\s+to|no\s+plans?\s+to|not\s+going\s+to|decided\s+not\s+to|chose\s+not\s+to|"
        r"opted\s+not\s+to|vowed\s+not\s+to|will\s+not\s+be)\s+(?:\w+\s+){0,2}?(?:join|sign|enter|participate|"
        r"apply|seek|pursue|partner|take\s+part)\w*|fail(?:s|ed)\s+(?:to\s+pass|for\s+lack))\b")),
    # board approvals
    ("board_approved", 0.85, re.compile(
        r"\b(?:approv(?:e|es|ed|ing|al)|vot(?:e|es|ed|ing)\s+(?:\d+\s*-\s*\d+\s+|unanimously\s+)?(?:to|in\s+favor\s+of)\s+"
        r"(?:approve|authorize|join|enter|sign|move\s+forward|allow|support|participate|accept|pursue|apply|"
        r"adopt|renew|extend|continue|keep|ratify)|authoriz(?:e|es|ed|ing)|green[- ]?light(?:s|ed)?|greenlit|"
        r"sign(?:s|ed)?\s+off|ratif(?:y|ies|ied)|okay(?:s|ed)|ok's|ok'd|oks|unanimously\s+(?:backed|supported|"
        r"passed)|pass(?:es|ed)?\s+(?:a|the)\s+resolution|endors(?:e|es|ed)|renew(?:s|ed)|extend(?:s|ed))\b")),
    # signed / joined
    ("signed_or_joined", 0.85, re.compile(
        r"\b(?:sign(?:s|ed|ing)?|join(?:s|ed|ing)?|enter(?:s|ed)?\s+into|entered|enters|ink(?:s|ed)|seal(?:s|ed)|"
        r"finaliz(?:e|es|ed)|formaliz(?:e|es|ed)|becomes?\s+(?:\w+\s+){0,4}?(?:partner|participant|member)|"
        r"became\s+(?:\w+\s+){0,4}?(?:partner|participant|member)|now\s+participat\w+|"
        r"(?:has|have)\s+(?:officially\s+)?(?:begun|started)\s+participat\w+|"
        r"announc(?:e|es|ed|ing)\s+(?:\d+\s+|\w+\s+){0,2}new\s+(?:287\(g\)\s+)?(?:agreements?|partners?|partnerships?)|"
        r"\d+\s+new\s+(?:287\(g\)\s+)?(?:agreements?|partners?|partnerships?)|"
        r"partner(?:s|ed)\s+with\s+(?:ice|federal)|team(?:s|ed)\s+up\s+with|sign(?:s|ed)?\s+(?:on|up)|"
        r"launch(?:es|ed)\s+(?:its\s+|a\s+|the\s+)?(?:287\(g\)|task\s+force|partnership)|"
        r"(?:ice|federal\s+officials|homeland\s+security)\s+(?:has\s+)?approv(?:ed|es)|"
        r"(?:was|were|been|is)\s+approved\s+by\s+(?:ice|federal|homeland|immigration)|"
        r"(?:added|adds)\s+(?:\S+\s+){0,4}?(?:to\s+(?:the\s+)?(?:list|roster|program))|"
        r"(?:are|is)\s+now\s+(?:part\s+of|in)\s+(?:the\s+)?(?:287\(g\)|program))\b")),
    # applied / considering
    ("applied_or_considering", 0.8, re.compile(
        r"\b(?:appl(?:y|ies|ied|ying)|applications?|submit(?:s|ted)?|seek(?:s|ing)?|sought|consider(?:s|ed|ing)?|"
        r"weigh(?:s|ed|ing)?|explor(?:e|es|ed|ing)|propos(?:e|es|ed|al|als|ing)|"
        r"plan(?:s|ned)?\s+to\s+(?:join|sign|apply|enter|participate|seek|pursue|partner)|"
        r"intend(?:s|ed)?\s+to\s+(?:join|sign|apply|enter)|"
        r"(?:will|to|would)\s+(?:discuss|debate|vote\s+on|take\s+up|decide|hear|review)|"
        r"request(?:s|ed)?\s+to\s+(?:join|participate)|pursu(?:e|es|ed|ing)|looking\s+(?:into|at)|"
        r"interest(?:ed)?\s+in\s+(?:joining|signing|participating|applying)|"
        r"(?:could|may|might|would)\s+(?:soon\s+)?(?:join|sign|enter|become)|"
        r"expected\s+to\s+(?:join|sign|vote|approve|consider|decide)|set\s+to\s+(?:vote|consider|join|sign|decide)|"
        r"in\s+talks|negotiat\w+|mull(?:s|ed|ing)?|eye(?:s|ing)|study(?:ing)?|tak(?:e|es|ing)\s+up|"
        r"(?:urg\w+|calls?\s+(?:on|for)|called\s+(?:on|for)|push\w*\s+(?:for|to)|ask(?:s|ed|ing)?|lobb\w+)\s+"
        r"(?:\S+\s+){0,5}?(?:to\s+)?(?:join\w*|sign\w*|enter\w*|apply\w*|applying|participat\w+|partner\w*|"
        r"approv\w+|consider\w*)|"
        r"whether\s+to\s+(?:join|sign|enter|apply|participate|approve)|pending)\b")),
]

NEGATION = re.compile(r"\b(?:not|never|no|without|neither|nor|yet\s+to|hasn't|haven't|didn't|doesn't|don't|"
                      r"won't|wouldn't|isn't|aren't|wasn't|weren't|cannot|can't)\b|n't\b")
REFUSAL = re.compile(r"\b(?:refus\w+|declin\w+|won't|will\s+not|would\s+not|no\s+plans?|does\s+not\s+plan|"
                     r"doesn't\s+plan|not\s+going\s+to|decided\s+not|chose\s+not|opted\s+not|vowed\s+not|"
                     r"voted\s+not|has\s+no\s+intention|have\s+no\s+intention)\b")
MODAL = re.compile(r"\b(?:applications?\s+to|requests?\s+to|will|would|could|may|might|shall|plans?\s+to|planning\s+to|expected\s+to|set\s+to|"
                   r"intends?\s+to|hopes?\s+to|wants?\s+to|seeks?\s+to|seeking\s+to|aims?\s+to|whether\s+to|"
                   r"considering|considers?|consider|proposals?\s+to|proposed|proposes|asked\s+to|asks?|asking|"
                   r"urged?s?|urging|calls?\s+(?:on|for)|called\s+(?:on|for)|if|would-be|possible|possibly|"
                   r"potential(?:ly)?|likely|about\s+to|poised\s+to|moving\s+to|move\s+to|vote\s+on|"
                   r"discuss|debate|weigh\w*|mull\w*|explor\w+|push(?:es|ed|ing)?\s+to|effort\s+to|bid\s+to)\b")
SUBORDINATE = re.compile(r"(?:,|;|\b(?:who|which|that|whose|after|since|when|following|because|despite|while|"
                         r"before|until|although|though|amid|as)\b)")
_CONTRAST = re.compile(r"\bbut\b|\bhowever\b")

# Which kinds a modal context turns into a consideration; which a refusal turns into a rejection.
_MODAL_TO_CONSIDERING = {"signed_or_joined", "board_approved"}
_REFUSAL_TO_REJECTED = {"signed_or_joined", "board_approved", "applied_or_considering"}


def _clause_start(t: str, pos: int) -> tuple[int, str]:
    """Where the clause holding `pos` begins, and the marker that began it ('' at sentence start)."""
    last, marker = 0, ""
    for m in SUBORDINATE.finditer(t, 0, pos):
        last, marker = m.end(), m.group(0)
    return last, marker


def _candidates(t: str) -> list[tuple[float, int, str, str]]:
    """(score, position, kind, trigger) for every rule that fires in a normalised sentence."""
    has_topic = bool(TOPIC.search(t))
    sanctuary = bool(SANCTUARY.search(t))
    legislative = (bool(LEGISLATIVE_ACTOR.search(t)) and bool(BILL.search(t))) or bool(STATE_BILL.search(t))
    hedged = "no_comment" in t
    body = BODY.search(t)
    out: list[tuple[float, int, str, str]] = []
    trigger_starts = sorted({m.start() for _k, _b, pat in RULES for m in pat.finditer(t)})
    for kind, base, pattern in RULES:
        for m in pattern.finditer(t):
            pos, trig = m.start(), m.group(0)
            score = base
            k = kind
            if k == "lawsuit_or_ruling":
                if CRIMINAL.search(t) or not (has_topic or sanctuary):
                    continue
                if trig.startswith("appeal") and not re.search(r"court|judge|ruling|lawsuit", t):
                    continue
            elif k == "state_law":
                if "into law" in trig:
                    pass
                elif not legislative:
                    continue
                if re.search(r"\b(?:county|city|town|village)\s+(?:board|council|commission)", t) and \
                        not re.search(r"governor|legislature|lawmakers|state (?:house|senate)|into law", t):
                    continue
            elif k.startswith("sanctuary_policy"):
                if not sanctuary or legislative:
                    continue
                # A list or a label is not a policy change.
                if re.search(r"\b(?:list|labell?ed|designat\w+ as|deemed|called)\b", t) and \
                        not re.search(r"\b(?:adopt|repeal|rescind|pass|approv|enact)\w*", t):
                    continue
            else:
                if not has_topic:
                    continue
                if sanctuary and k in ("ended_or_withdrawn",) and not re.search(r"287\(g\)|agreement|task force|"
                                                                                  r"partnership|contract|program", t):
                    continue  # "ended its sanctuary policy" belongs to the sanctuary rules
            if k == "board_approved" and not body:
                # "approved" without a governing body: ICE approving means a signing; else a weak approval.
                if re.search(r"\b(?:ice|federal|homeland|dhs)\b", t[max(0, pos - 40): pos + 60]):
                    k, score = "signed_or_joined", 0.7
                else:
                    score = 0.6
            if k == "signed_or_joined" and body and re.search(r"\bvot\w+", t[:pos]):
                k = "board_approved"  # "the board voted ... and signed" reads as an approval
            if legislative and k in ("signed_or_joined", "board_approved", "applied_or_considering",
                                     "ended_or_withdrawn", "rejected"):
                score -= 0.1  # in a sentence about a bill, the bill is the news
            if hedged and m.start() > t.index("no_comment"):
                k, score = "other", 0.55  # "declined to comment on whether ..." reports nothing
            clause, marker = _clause_start(t, pos)
            window = t[clause:pos]
            # negation and refusal
            if k != "rejected" and NEGATION.search(window[-40:]):
                if k in _REFUSAL_TO_REJECTED and REFUSAL.search(window):
                    k, score = "rejected", 0.8
                else:
                    k, score = "other", 0.6
            elif k == "rejected" and re.search(r"\b(?:not|never|n't)\s+(?:\w+\s+)?$", window):
                k, score = "other", 0.55
            # modality: future or proposed signings are considerations
            if k in _MODAL_TO_CONSIDERING and MODAL.search(window) and not re.search(r"\bvoted\b|\bapproved\b", window):
                k, score = "applied_or_considering", 0.75
            if k == "ended_or_withdrawn" and re.search(r"\b(?:could|may|might|would|consider\w*|whether|"
                                                      r"weigh\w*|debat\w+|discuss\w*|propos\w+|calls?\s+(?:on|for)|"
                                                      r"urg\w+|push\w*|ask\w*)\b", window):
                k, score = "other", 0.5  # talk of ending is not an end
            if k == "ended_or_withdrawn" and re.search(r"\bwill\b|plans?\s+to|intends?\s+to", window):
                score -= 0.15
            # subordinate or relative clause: background, not the news
            # A relative clause holds one verb: a later trigger is back in the main clause.
            closed = marker in ("who", "which", "that") and any(clause <= p < pos for p in trigger_starts)
            if closed:
                pass
            elif marker and marker not in (",", ";") and marker.strip() not in ("that",):
                score -= 0.25
            elif marker == "that" and re.search(r"\b(?:agreement|program|pact|deal|policy|contract)s?\s+that\s*$",
                                                t[max(0, clause - 30): clause]):
                score -= 0.25  # "the agreement that the county signed in 2019"
            if re.search(r"\b(?:in|since|back in)\s+(?:19|20)\d\d\b", t[pos: pos + 60]) and \
                    re.search(r"\b(?:has|have|had)\b", window[-30:]):
                score -= 0.1  # "has had an agreement since 2012" is background
            if _CONTRAST.search(t[pos:]) and k not in ("other",):
                score -= 0.02  # what follows "but" usually carries the news
            score += 0.05 * (1 - pos / max(len(t), 1))
            out.append((score, pos, k, trig))
    return out


def classify_sentence(sentence: str) -> Event:
    """The event one sentence reports, with a confidence; `other` when no rule fires."""
    t = normalise(sentence)
    cands = _candidates(t)
    if not cands:
        return Event("other", 0.5, sentence.strip(), 0, len(sentence))
    cands.sort(key=lambda c: (-c[0], c[1]))
    score, _pos, kind, trig = cands[0]
    conf = round(max(0.05, min(0.99, score)), 2)
    return Event(kind, conf, sentence.strip(), 0, len(sentence), trig.strip())


def events_in(text: str) -> list[Event]:
    """Every sentence of `text` that reports an event (kind other than `other`), in order."""
    out = []
    for s, e in split_sentences(text):
        ev = classify_sentence(text[s:e])
        if ev.event_kind != "other":
            out.append(Event(ev.event_kind, ev.confidence, ev.span, s, e, ev.trigger))
    return out


def classify_text(text: str) -> Event:
    """The single best-supported event in a line or passage (used by `tracker classify`)."""
    spans = split_sentences(text) or [(0, len(text))]
    best: Event | None = None
    for s, e in spans:
        ev = classify_sentence(text[s:e])
        ev = Event(ev.event_kind, ev.confidence, ev.span, s, e, ev.trigger)
        if best is None or (ev.event_kind != "other" and (best.event_kind == "other" or ev.confidence > best.confidence)):
            best = ev
    assert best is not None
    return best


def article_events(title: str, text: str, min_confidence: float = 0.6) -> list[Event]:
    """Events of an article: the best sentence per kind (the headline counts as a sentence)."""
    best: dict[str, Event] = {}
    for ev in ([classify_sentence(title)] if title else []) + events_in(text):
        if ev.event_kind == "other" or ev.confidence < min_confidence:
            continue
        if ev.event_kind not in best or ev.confidence > best[ev.event_kind].confidence:
            best[ev.event_kind] = ev
    return sorted(best.values(), key=lambda e: -e.confidence)
