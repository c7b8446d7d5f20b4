"""The rule table of CoreNLP 3.4.1's PTBLexer, as configured by pycocoevalcap.

pycocoevalcap runs ``PTBTokenizer -preserveLines -lowerCase``: every lexer option keeps its
3.4.1 default (PTB3 escaping of brackets and quotes, ``normalizeSpace``,
``splitAssimilations``; no americanization, no ``\\/`` escaping) plus ``tokenizeNLs``.
The behaviour is specified in ``docs/ptb.md`` and the project's black-box study of the
jar. The scanner takes, at each position, the longest match over all rules; a tie goes
to the rule listed first. A rule with a *trailing context* must be followed by text
matching it; that text counts for the length comparison but is not consumed.

Patterns use the syntax of ``automaton.py``: ASCII letters outside ``[...]`` are
case-insensitive, classes are case-sensitive, ``{Name}`` refers to a set or macro below
and ``{UPPER_CASE}`` to a non-ASCII character class of ``charclasses.json``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

# An action maps the matched text (trailing context excluded) to the token it emits (or
# None) and the number of characters it consumes; fewer than matched means the rest is
# scanned again (JFlex ``yypushback``).
Action = Callable[[str], tuple["str | None", int]]

SETS: dict[str, str] = {
    # Java-7 Character.isLetter (JFlex [:letter:]).
    "Letter": "[A-Za-z{LETTER}{LETTER_UPPER}{LETTER_CASELESS_I}{LETTER_CASELESS_S}"
    "{LETTER_UPPER_CASELESS_I}{LETTER_UPPER_CASELESS_K}]",
    # Characters of ordinary words: letters, combining marks, the soft hyphen.
    "WordChar": "[{Letter}{WORD_MARK}{SOFT_HYPHEN}]",
    "Digit": "[0-9{DIGIT_OTHER}]",
    "Upper": "[A-Z{LETTER_UPPER}{LETTER_UPPER_CASELESS_I}{LETTER_UPPER_CASELESS_K}"
    "{DELETED_UPPER}{SYMBOL_UPPER}]",
    "Space": "[ \\t{SPACE}{SPACE_NBSP}]",
    "AposChar": "['{APOS_RIGHT}]",
    "InSentP": "[,;:{IDEOGRAPHIC_COMMA}]",
    # Stand-alone symbols (one-character tokens).
    "Misc": "[+%&~\\^|\\\\{SYMBOL}{SYMBOL_UPPER}{SUPSUB_SIGN}{FRACTION_SLASH}"
    "{SUPERSCRIPT_DIGIT}]",
}

MACROS: dict[str, str] = {
    "NewLine": "\\r\\n|[\\r\\n\\v\\f{NEWLINE}{NEL_ELLIPSIS}]",
    "SpNl": "[{Space}]|{NewLine}",
    "TagName": "[A-Za-z][A-Za-z0-9_:.\\-]*",
    "Sgml": "<([!?][A-Za-z\\-][^>\\r\\n]*"
    "|{TagName}([ ]+({TagName}|{TagName}[ ]*=[ ]*('[^']*'|\"[^\"]*\")))*[ ]*/?"
    "|/{TagName})[ ]*>",
    "WordLetter": "[{WordChar}]|&[aeiouAEIOU](acute|grave|uml);",
    "Word": "{WordLetter}({WordLetter}|[{Digit}])*([.!?]{WordLetter}({WordLetter}|[{Digit}])*)*",
    "Apos": "[{AposChar}]|&apos;",
    "AposX": "{Apos}|[`{QUOTE_LEFT_SINGLE}]",
    "Clitic": "{Apos}([msdMSD]|re|ve|ll)",
    "NtWord": "[A-Za-z{SOFT_HYPHEN}]*[A-MO-Za-mo-z][{SOFT_HYPHEN}]*",
    "Nt": "n{AposX}t",
    "AposWord": "{Apos}n({Apos})?|[lLdDjJ]{Apos}|Dunkin{Apos}|somethin{Apos}|ol{Apos}"
    "|{Apos}em|[A-HJ-XZn]{AposX}[{Letter}][{Letter}]+|{Apos}[2-9]0s|{Apos}till?"
    "|[{Letter}]+[aeiouyAEIOUY]{AposX}[aeiouA-Z][{Letter}]*|{Apos}cause|cont'd(\\.)?"
    "|'twas|nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l|O{AposX}o",
    "FullUrl": "https?://[^ \\t\\n\\f\\r\"<>|()\\{\\}]+[^ \\t\\n\\f\\r\"<>|.!?()\\{\\},\\-]",
    "LikelyUrl": "(www\\.([^ \\t\\n\\f\\r\"<>|.!?()\\{\\},]+\\.)+[a-zA-Z]{2,4}"
    "|([^ \\t\\n\\f\\r\"`'<>|.!?()\\{\\}$\\x2c-\\x5f]+\\.)+(com|net|org|edu))"
    "(/[^ \\t\\n\\f\\r\"<>|()]+[^ \\t\\n\\f\\r\"<>|.!?()\\{\\},\\-])?",
    "Email": "(&lt;|<)?[a-zA-Z0-9][^ \\t\\n\\f\\r\"<>|()\\{\\}{SPACE_NBSP}]*@"
    "([^ \\t\\n\\f\\r\"<>|()\\{\\}.{SPACE_NBSP}]+\\.)*[^ \\t\\n\\f\\r\"<>|()\\{\\}.{SPACE_NBSP}]+"
    "(&gt;|>)?",
    "Twitter": "@[a-zA-Z_][a-zA-Z_0-9]*|#({WordLetter})+",
    "Date": "[{Digit}]{1,2}[\\-/][{Digit}]{1,2}[\\-/][{Digit}]{2,4}",
    "Number": "[\\-+]?([{Digit}]+|[{Digit}]*([.:,{SOFT_HYPHEN}{ARABIC_NUM_SEPARATOR}][{Digit}]+)+)",
    "SubSupNumber": "[{SUPSUB_SIGN}]?([{SUPERSCRIPT_DIGIT}]+|[{SUBSCRIPT_DIGIT}]+)",
    "Fraction": "([{Digit}]{1,4}[\\- {SPACE_NBSP}])?[{Digit}]{1,4}(\\\\?/|[{FRACTION_SLASH}])"
    "[{Digit}]{1,4}",
    "TreebankSpecial": "-(RRB|LRB|RCB|LCB|RSB|LSB)-|C\\.D\\.s|pro-|anti-|S(&|&amp;)P-500"
    "|S(&|&amp;)Ls|Cap{Apos}n|c{Apos}est",
    "SlashCompound": "[A-Za-z0-9]+(-[A-Za-z]+){0,2}(\\\\?/[A-Za-z0-9]+(-[A-Za-z]+){0,2}){1,2}",
    "DollarSign": "[A-Z]*\\$|#",
    "Acro": "[A-Za-z](\\.[A-Za-z])*|(Canada|Sino|Korean|EU|Japan|non)-U\\.S"
    "|U\\.S\\.-(U\\.K|U\\.S\\.S\\.R)",
    "Acro2": "[A-Za-z](\\.[A-Za-z])+|(Canada|Sino|Korean|EU|Japan|non)-U\\.S"
    "|U\\.S\\.-(U\\.K|U\\.S\\.S\\.R)",
    # Capitalised words after which a one-letter acronym's period ends the sentence.
    "SentenceStarter": "([A]bout|[A]ccording|[A]dditionally|[A]fter|[A]n|[A]|[A]s|[A]t|[B]ut"
    "|[E]arlier|[H]e|[H]er|[H]ere|[H]owever|[I]f|[I]n|[I]t|[L]ast|[M]any|[M]ore|[M]r\\."
    "|[M]s\\.|[N]ow|[O]nce|[O]ne|[O]ther|[O]ur|[S]he|[S]ince|[S]o|[S]ome|[S]uch|[T]hat|[T]he"
    "|[T]heir|[T]hen|[T]here|[T]hese|[T]hey|[T]his|[W]e|[W]hen|[W]hile|[W]hat|[Y]et|[Y]ou"
    "|{Sgml})",
    "SentenceEnd": "{SpNl}({SpNl}|[{Upper}]|{Sgml})",
    # Abbreviations usually followed by a lowercase word (months, days, states, ...).
    "Abbrev1": "(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
    "|Mon|Tue|Tues|Wed|Thu|Thurs|Fri"
    "|Ala|Ariz|[A]z|[A]rk|Calif|Colo|Conn|Ct|Dak|[D]el|Fla|Ga|[I]ll|Ind|Kans?|Ky|[L]a|[M]ass"
    "|Md|Mich|Minn|[M]iss|Mo|Mont|Neb|Nev|Okla|[O]re|[P]a|Penn|Tenn|[T]ex|Va|Vt|[W]ash|Wisc?"
    "|Wyo|Inc|Cos?|Corp|Pp?t[ye]s?|Ltd|Plc|Rt|Bancorp|Bhd|Assn|Univ|Intl|Sys|tel|est|ext|sq"
    "|Jr|Sr|Bros|(Ed|Ph)\\.D|Blvd|Rd|Esq|etc|al|seq|Bldg)\\.",
    # Titles and other abbreviations usually followed by a capitalised word.
    "Abbrev4": "Mr|Mrs|Ms|[M]iss|Drs?|Profs?|Sens?|Reps?|Attys?|Lt|Col|Gen|Messrs|Govs?|Adm"
    "|Rev|Maj|Sgt|Cpl|Pvt|Capt|Ste?|Ave|Pres|Lieut|Hon|Brig|Co?mdr|Pfc|Spc|Supts?|Det|Mt|Ft"
    "|Adj|Adv|Asst|Assoc|Ens|Insp|Mlle|Mme|Msgr|Sfc|vs|Alex|Wm|Jos|Cie|a\\.k\\.a|cf|TREAS|Ph"
    "|{Acro}|Invt|Elec|Natl|M[ft]g|Dept",
    # Abbreviations kept only before a number.
    "Abbrev3": "(ca|figs?|prop|nos?|art|bldg|pp|op)\\.",
    "FileName": "({WordLetter}|[{Digit}])+(\\.({WordLetter}|[{Digit}])+)*\\.(bat|bmp|c|class"
    "|cgi|cpp|dll|doc|docx|exe|gif|gz|h|htm|html|jar|java|jpeg|jpg|mov|mp3|pdf|php|pl|png|ppt"
    "|ps|py|sql|tar|txt|wav|x|xml|zip)",
    "Phone": "(\\([0-9]{2,3}\\)[ {SPACE_NBSP}]?|(\\+(\\+)?)?([0-9]{2,4}[\\- {SPACE_NBSP}])?"
    "[0-9]{2,4}[\\- {SPACE_NBSP}])[0-9]{3,4}[\\- {SPACE_NBSP}]?[0-9]{3,5}"
    "|((\\+(\\+)?)?[0-9]{2,4}\\.)?[0-9]{2,4}\\.[0-9]{3,4}\\.[0-9]{3,5}",
    "Smiley": "[<>]?[:;=][\\-o*']?[()DPdpO\\\\\\{@|\\[\\]]",
    "AsianSmiley": "[\\^x=~<>]\\.\\[\\^x=~<>\\]|[\\-\\^x=~<>']_[\\-\\^x=~<>']"
    "|\\([\\-\\^x=~<>']([_.])?[\\-\\^x=~<>']\\)|\\([\\^x=~<>']-[\\^x=~<>'`]\\)",
    "Ellipsis": "\\.{3,5}|(\\.[ {SPACE_NBSP}]){2,4}\\.|[{NEL_ELLIPSIS}{ELLIPSIS}]",
    "HyphenThing": "[A-Za-z0-9][A-Za-z0-9.,{SOFT_HYPHEN}]*(-([A-Za-z0-9{SOFT_HYPHEN}]+"
    "|{Acro2}\\.))+",
    "ThingPart": "([dDoOlL]{AposX}[{Letter}{Digit}])?[{Letter}{Digit}]+",
    "Thing": "{ThingPart}([\\-_{HYPHEN_UNICODE}]{ThingPart})*",
    "CapsAnd": "[A-Z]+(([+&]|&amp;)[A-Z]+)+",
    "Quotes": "{Apos}|''|[`{APOS_RIGHT}{QUOTE_LEFT_SINGLE}{QUOTE_OTHER}]{1,2}",
}


# --- actions ----------------------------------------------------------------------------

def keep(text: str) -> tuple[str, int]:
    return text, len(text)


def drop(text: str) -> tuple[None, int]:
    return None, len(text)


def emit(token: str) -> Action:
    """An action that always emits ``token`` (e.g. ``-LRB-`` for ``(``)."""
    return lambda text: (token, len(text))


def split_off(tail: int) -> Action:
    """Emit all but the last ``tail`` characters and scan those again (``can|not``)."""
    return lambda text: (text[:-tail], len(text) - tail)


def without_soft_hyphens(text: str) -> tuple[str, int]:
    token = text.replace("\u00ad", "")
    return token or "-", len(text)


def spaces_to_nbsp(text: str) -> tuple[str, int]:
    return text.replace(" ", "\u00a0"), len(text)


def phone(text: str) -> tuple[str, int]:
    return text.replace(" ", "\u00a0").replace("(", "-LRB-").replace(")", "-RRB-"), len(text)


def brackets(text: str) -> tuple[str, int]:
    return text.replace("(", "-LRB-").replace(")", "-RRB-"), len(text)


_AMPERSAND = re.compile("&amp;", re.IGNORECASE)


def ampersand(text: str) -> tuple[str, int]:
    return _AMPERSAND.sub("&", text), len(text)


_QUOTE_MARKS = str.maketrans(
    {
        "\u0091": "`", "\u2018": "`", "\u201b": "`", "\u2039": "`",
        "\u0092": "'", "\u2019": "'", "\u203a": "'",
        "\u0093": "``", "\u201c": "``", "\u00ab": "``",
        "\u0094": "''", "\u201d": "''", "\u00bb": "''",
    }
)


def _quotes(text: str, opening: bool) -> str:
    # ASCII quotes and their (case-sensitive) entities depend on the guessed side; the
    # curly and CP1252 ones carry their own side. U+201A, U+201E, U+201F stay as they are.
    single, double = ("`", "``") if opening else ("'", "''")
    text = text.replace("&apos;", single).replace("'", single)
    text = text.replace('"', double).replace("&quot;", double)
    return text.translate(_QUOTE_MARKS)


def opening_quote(text: str) -> tuple[str, int]:
    return _quotes(text, opening=True), len(text)


def closing_quote(text: str) -> tuple[str, int]:
    return _quotes(text, opening=False), len(text)


_CURRENCY = str.maketrans({"\u00a2": "cents", "\u00a3": "#", "\u0080": "$", "\u00a4": "$",
                           "\u20a0": "$", "\u20ac": "$"})
_FRACTIONS = str.maketrans({"\u00bc": "1/4", "\u00bd": "1/2", "\u00be": "3/4",
                            "\u2153": "1/3", "\u2154": "2/3"})


def currency(text: str) -> tuple[str, int]:
    return text.translate(_CURRENCY), len(text)


def fraction(text: str) -> tuple[str, int]:
    return text.translate(_FRACTIONS), len(text)


def hyphens(text: str) -> tuple[str, int]:
    return ("--" if 3 <= len(text) <= 4 else text), len(text)


def period_again(text: str) -> tuple[str, int]:
    """Emit the abbreviation with its period, then scan the period again."""
    return text, len(text) - 1


def acronym_before_sentence(text: str) -> tuple[str, int]:
    """``I.``/``A.`` lose the period (scanned again); longer acronyms keep it and repeat it."""
    if len(text) == 2:
        return text[0], 1
    return text, len(text) - 1


# Plain words that the lexer splits (``splitAssimilations``): word -> length of the tail
# that is split off and scanned again (``cannot`` -> ``can`` ``not``).
SPLIT_WORDS: dict[str, int] = {"cannot": 3, "gonna": 2, "gotta": 2, "lemme": 2, "gimme": 2,
                               "wanna": 2}


class Rule(NamedTuple):
    """One lexer rule: ``pattern`` followed by ``trail`` (if any) and what it emits."""

    name: str
    pattern: str
    trail: str | None
    action: Action | None  # None: the line break that ends a caption


RULES: tuple[Rule, ...] = (
    Rule("c++", "c\\+\\+", None, keep),
    Rule("c#", "(c|f)#", None, keep),
    *(Rule(word, word, None, split_off(tail)) for word, tail in SPLIT_WORDS.items()),
    Rule("'twas", "'twas", None, split_off(3)),
    Rule("'tis", "'tis", None, split_off(2)),
    Rule("sgml", "{Sgml}", None, spaces_to_nbsp),
    Rule("dash", "&(MD|mdash|ndash);|[{DASH}]", None, emit("--")),
    Rule("amp", "&amp;", None, ampersand),
    Rule("entity", "&(HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);", None, keep),
    Rule("word+clitic", "{Word}", "{Clitic}", without_soft_hyphens),
    Rule("word+n't", "{NtWord}", "{Nt}", without_soft_hyphens),
    Rule("word", "{Word}", None, without_soft_hyphens),
    Rule("apostrophe word", "{AposWord}", None, keep),
    Rule("y'", "y{Apos}", "[{Letter}]", keep),
    Rule("url", "{FullUrl}", None, keep),
    Rule("likely url", "{LikelyUrl}", None, keep),
    Rule("email", "{Email}", None, keep),
    Rule("twitter", "{Twitter}", None, keep),
    Rule("clitic", "{Clitic}", "[^A-Za-z]", closing_quote),
    Rule("n't", "{Nt}", "[^A-Za-z]", closing_quote),
    Rule("date", "{Date}", None, keep),
    Rule("number", "{Number}", None, without_soft_hyphens),
    Rule("sub/superscript number", "{SubSupNumber}", None, keep),
    Rule("fraction", "{Fraction}", None, spaces_to_nbsp),
    Rule("vulgar fraction", "[{VULGAR_FRACTION}]", None, fraction),
    Rule("treebank special", "{TreebankSpecial}", None, ampersand),
    Rule("slash compound", "{SlashCompound}", None, keep),
    Rule("dollar sign", "{DollarSign}", None, keep),
    Rule("currency", "[{CURRENCY}]", None, currency),
    Rule("acronym+sentence", "{Acro}\\.", "({SpNl})+{SentenceStarter}{SpNl}",
         acronym_before_sentence),
    Rule("abbrev before number", "{Abbrev3}", "({SpNl})?[{Digit}]", keep),
    Rule("pty./co. ltd", "(pt[eyEY]|co)\\.", "[{Space}](ltd|lim)", keep),
    Rule("abbrev+sentence end", "{Abbrev1}", "{SentenceEnd}", period_again),
    Rule("abbrev", "{Abbrev1}", "[^][^]", keep),
    # This and "n't at end" fire only at the very end of the input, which capeval never
    # reaches: the lexer always sees another caption after the one it tokenizes.
    Rule("abbrev at end", "{Abbrev1}", None, period_again),
    Rule("title", "({Abbrev4})\\.", None, keep),
    Rule("title+space", "{Abbrev4}", "[{Space}]", keep),
    Rule("acronym", "{Acro}", "{SpNl}", keep),
    Rule("'90", "{Apos}[0-9][0-9]", "{SpNl}", keep),
    Rule("file name", "{FileName}", "{SpNl}|[.?!,]", keep),
    Rule("word.", "{Word}\\.", "[{InSentP}]", without_soft_hyphens),
    Rule("phone", "{Phone}", None, phone),
    Rule("opening \"", "\"|&quot;", "[A-Za-z0-9$]", opening_quote),
    Rule("closing \"", "\"|&quot;", None, closing_quote),
    Rule("delete", "\\x7f", None, drop),
    Rule("<", "<|&lt;", None, emit("<")),
    Rule(">", ">|&gt;", None, emit(">")),
    Rule("smiley", "{Smiley}", "[^A-Za-z0-9]", brackets),
    Rule("asian smiley", "{AsianSmiley}", None, brackets),
    Rule("{", "\\{", None, emit("-LCB-")),
    Rule("}", "\\}", None, emit("-RCB-")),
    Rule("[", "\\[", None, emit("-LSB-")),
    Rule("]", "\\]", None, emit("-RSB-")),
    Rule("(", "\\(", None, emit("-LRB-")),
    Rule(")", "\\)", None, emit("-RRB-")),
    Rule("hyphens", "-+", None, hyphens),
    Rule("ellipsis", "{Ellipsis}", None, emit("...")),
    Rule("marks", "@+|#+|_+", None, keep),
    Rule("asterisks", "\\*+|(\\\\\\*){1,3}", None, keep),
    Rule("in-sentence punctuation", "[{InSentP}]", None, keep),
    Rule("?!", "[?!]+", None, keep),
    # The lexer's other sentence-final marks (¡ ¿ 。 ...) share the SYMBOL class with the
    # stand-alone symbols below, which they behave like.
    Rule(".", "\\.", None, keep),
    Rule("=", "=", None, keep),
    Rule("/", "/", None, keep),
    Rule("hyphenated.", "{HyphenThing}\\.", "[{InSentP}]", without_soft_hyphens),
    Rule("hyphenated", "{HyphenThing}", None, without_soft_hyphens),
    Rule("thing.", "{Thing}\\.", "[{InSentP}]", keep),
    Rule("thing", "{Thing}", None, keep),
    Rule("caps&caps.", "{CapsAnd}\\.", "[{InSentP}]", ampersand),
    Rule("caps&caps", "{CapsAnd}", None, ampersand),
    Rule("opening '", "'", "[A-Za-z][^ \\t\\n\\r{SPACE_NBSP}]", opening_quote),
    Rule("clitic at end", "{Clitic}", None, closing_quote),
    Rule("n't at end", "{Nt}", None, closing_quote),
    Rule("quotes", "{Quotes}", None, closing_quote),
    Rule("<< >>", "<<|>>", None, keep),
    Rule("symbol", "[{Misc}]", None, keep),
    Rule("space", "[\\0{IGNORABLE}]|[{Space}]+", None, drop),
    Rule("line break", "{NewLine}", None, None),
    Rule("&nbsp;", "&nbsp;", None, drop),
    Rule("untokenizable", "[^\\n]", None, drop),
)
