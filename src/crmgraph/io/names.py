"""The explicit name-mapping tables of the importers: a source's commodity, material and country
names → the graph's materials and countries.

Why a table and not fuzzy matching: a wrong join silently misassigns a production figure to another
material or country, and an indicator built on it would look authoritative. Every name the datasets
use is listed here once, by hand; a name that is not in a table is *unmapped* and appears in the
import report with its file and line — never dropped silently, never guessed.

`clean` is the only normalisation: non-breaking spaces → spaces, runs of spaces collapsed, leading
and trailing spaces stripped (the USGS file writes "Barite  ", "Canada ", "United\u00a0States").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..namespaces import ID

_SPACES = re.compile(r"\s+")


def clean(name: str) -> str:
    """A source name with non-breaking and repeated spaces normalised and the ends stripped."""
    return _SPACES.sub(" ", name.replace("\u00a0", " ")).strip()


def material_iri(slug: str) -> str:
    return ID + "material/" + slug


# ------------------------------------------------------------------ countries
#: Source spelling (after `clean`) → ISO 3166-1 alpha-2 code. Covers the USGS MCS 2025 world table
#: and both supply-share tables of the EC 2023 CRM study. Codes checked against pycountry's ISO 3166
#: data by tests/io/test_names.py; the notes say where a spelling needed a decision.
COUNTRIES: dict[str, str] = {
    "Afghanistan": "AF", "Albania": "AL", "Algeria": "DZ", "Angola": "AO", "Argentina": "AR", "Armenia": "AM",
    "Australia": "AU", "Austria": "AT", "Azerbaijan": "AZ", "Bahrain": "BH", "Bangladesh": "BD", "Barbados": "BB",
    "Belarus": "BY", "Belgium": "BE", "Bhutan": "BT", "Bolivia": "BO", "Bosnia and Herzegovina": "BA",
    "Botswana": "BW", "Brazil": "BR", "Brasil": "BR", "Brasilia": "BR", "Brunei Darussalam": "BN",
    "Bulgaria": "BG", "Burkina Faso": "BF", "Burma": "MM", "Myanmar": "MM", "Burundi": "BI", "Cambodia": "KH",
    "Cameroon": "CM", "Canada": "CA", "Cape Verde": "CV", "Central African Republic": "CF", "Chile": "CL",
    "China": "CN", "Colombia": "CO", "Congo": "CG", "Congo, D.R.": "CD", "Congo (Kinshasa)": "CD",
    "Costa Rica": "CR", "Cote d'Ivoire": "CI", "Côte d’Ivoire": "CI", "Croatia": "HR", "Cuba": "CU",
    "Cyprus": "CY", "Czechia": "CZ", "Denmark": "DK", "Dominican Republic": "DO", "Ecuador": "EC", "Egypt": "EG",
    "El Salvador": "SV", "Equatorial Guinea": "GQ", "Eritrea": "ER", "Estonia": "EE", "Ethiopia": "ET", "Fiji": "FJ",
    "Finland": "FI", "France": "FR", "French Guiana": "GF", "Gabon": "GA", "Georgia": "GE", "Germany": "DE",
    "Ghana": "GH", "Greece": "GR", "Greenland": "GL", "Grenada": "GD", "Guatemala": "GT", "Guinea": "GN",
    "Guyana": "GY", "Honduras": "HN", "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN",
    "Indonesia": "ID", "Iran": "IR", "Iraq": "IQ", "Ireland": "IE", "Israel": "IL", "Italy": "IT", "Jamaica": "JM",
    "Japan": "JP", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE", "Korea, North": "KP",
    "Korea, Republic of": "KR", "Korea, South": "KR", "South Korea": "KR", "Kosovo": "XK", "Kuwait": "KW",
    "Kyrgyzstan": "KG", "Laos": "LA", "Latvia": "LV", "Lebanon": "LB", "Libanon": "LB", "Lesotho": "LS",
    "Liberia": "LR", "Libya": "LY", "Lithuania": "LT", "Luxembourg": "LU", "Madagascar": "MG", "Malawi": "MW",
    "Malaysia": "MY", "Mali": "ML", "Mauritania": "MR", "Mauritius": "MU", "Mexico": "MX", "Moldova": "MD",
    "Mongolia": "MN", "Montenegro": "ME", "Morocco": "MA", "Mozambique": "MZ", "Namibia": "NA", "Nauru": "NR",
    "Nepal": "NP", "Netherlands": "NL", "New Caledonia": "NC", "New Zealand": "NZ", "Nicaragua": "NI",
    "Niger": "NE", "Nigeria": "NG", "North Macedonia": "MK", "Norway": "NO", "Oman": "OM", "Pakistan": "PK",
    "Panama": "PA", "Papua New Guinea": "PG", "Paraguay": "PY", "Peru": "PE", "Philippines": "PH", "Poland": "PL",
    "Portugal": "PT", "Qatar": "QA", "Romania": "RO", "Russia": "RU", "Rwanda": "RW", "San Marino": "SM",
    "Saudi Arabia": "SA", "Senegal": "SN", "Serbia": "RS", "Sierra Leone": "SL", "Singapore": "SG",
    "Slovakia": "SK", "Slovenia": "SI", "Solomon Islands": "SB", "South Africa": "ZA", "Spain": "ES",
    "Sri Lanka": "LK", "Sudan": "SD", "Surinam": "SR", "Suriname": "SR", "Sweden": "SE", "Switzerland": "CH",
    "Syria": "SY", "Taiwan": "TW", "Tajikistan": "TJ", "Tanzania": "TZ", "Thailand": "TH", "Togo": "TG",
    "Trinidad and Tobago": "TT", "Tunisia": "TN", "Turkey": "TR", "Türkiye": "TR", "Turkyie": "TR",
    "Turkmenistan": "TM", "Uganda": "UG", "Ukraine": "UA", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US", "Uruguay": "UY", "Uzbekistan": "UZ", "Venezuela": "VE", "Vietnam": "VN", "Yemen": "YE",
    "Zambia": "ZM", "Zimbabwe": "ZW",
}

#: Why some spellings map as they do (shown in the import report and the docs).
COUNTRY_NOTES: dict[str, str] = {
    "Brasilia": "the EC global-supply table writes Brazil's capital for Brazil once",
    "Congo": "the EC tables list 'Congo, D.R.' separately, so 'Congo' is the Republic of the Congo (CG)",
    "Kosovo": "XK is the user-assigned code used by the EU; Kosovo has no ISO 3166-1 code",
    "Turkyie": "a misspelling of Türkiye in the EC global-supply table",
    "Libanon": "a misspelling of Lebanon in the EC EU-supply table",
}

#: The graph's own IRI where it differs from the ISO code (Greece is country:EL, the EU's code).
GRAPH_COUNTRY_SLUG = {"GR": "EL"}

#: Rows that are not one country: the world total and the USGS "other countries" remainder. They
#: are imported (the world total is the denominator of every world share) with their own subjects.
WORLD = ID + "region/world"
OTHER_COUNTRIES = ID + "region/other-countries"


def country_iri(code: str) -> str:
    return ID + "country/" + GRAPH_COUNTRY_SLUG.get(code, code)


_QUALIFIER = re.compile(r"^(?P<base>.*?)\s*\((?P<qualifier>[^)]*)\)(?P<rest>.*)$")


@dataclass(frozen=True)
class CountryMatch:
    """How one source country cell maps: to a country, the world total, the remainder, or nothing."""

    iri: str | None
    code: str | None = None
    qualifier: str | None = None  # "(beneficiated)", "(rounded) 10": kept for the locator
    kind: str = "country"  # country | world | other | unmapped
    reason: str = ""


def match_country(raw: str) -> CountryMatch:
    """Map a country cell. A parenthesised qualifier ("Brazil (beneficiated)") or a footnote number
    ("World total (rounded) 10") is kept as a qualifier, never part of the join key."""
    name = clean(raw)
    if name.lower().startswith("world total"):
        return CountryMatch(WORLD, None, name[len("world total"):].strip() or None, "world")
    if name.lower().startswith("other countries"):
        return CountryMatch(OTHER_COUNTRIES, None, name[len("other countries"):].strip() or None, "other")
    qualifier = None
    m = _QUALIFIER.match(name)
    if name not in COUNTRIES and m and m.group("base") and not m.group("rest").strip():
        # the whole name first: "Congo (Kinshasa)" is a country (CD), not "Congo" (CG) qualified
        name, qualifier = m.group("base"), m.group("qualifier")
    code = COUNTRIES.get(name)
    if code is None:
        return CountryMatch(None, None, qualifier, "unmapped",
                            f"country {clean(raw)!r} is not in io/names.py COUNTRIES (a combined or unknown area)")
    return CountryMatch(country_iri(code), code, qualifier)


# ------------------------------------------------------------------ USGS commodities
@dataclass(frozen=True)
class Series:
    """One production series of the USGS table: which material, which stage, and a stable name.
    Shares are only computed within one series (a country's row against the world-total row of the
    same series), so ilmenite is never divided by rutile, nor mine output by refinery output."""

    material: str  # slug of a material of graph/materials.ttl
    stage: str  # extraction | processing
    name: str  # e.g. "mine production, antimony content"


_E, _P = "extraction", "processing"

#: (commodity, TYPE) after `clean` → the series. A commodity not here is unmapped, with the reason
#: given in USGS_NOT_IN_GRAPH or, failing that, "not in the mapping table".
USGS_SERIES: dict[tuple[str, str], Series] = {
    ("Aluminum", "Smelter production, aluminum"): Series("aluminium", _P, "smelter production, aluminium"),
    ("Antimony", "Mine production, antimony content"): Series("antimony", _E, "mine production, antimony content"),
    ("Arsenic", "Plant production, arsenic trioxide or calculated equivalent."): Series("arsenic", _P, "plant production, arsenic trioxide"),
    ("Barite", "Mine production, barite, estimated"): Series("baryte", _E, "mine production, barite"),
    ("Bauxite", "Mine production, bauxite, dry tons"): Series("bauxite", _E, "mine production, bauxite (dry tons)"),
    ("Bauxite", "Refinery production, alumina - calcined equivalent weights"): Series("alumina", _P, "refinery production, alumina"),
    ("Beryllium", "Mine production, beryllium content"): Series("beryllium", _E, "mine production, beryllium content"),
    ("Bismuth", "Refinery production"): Series("bismuth", _P, "refinery production, bismuth"),
    ("Boron", "Boron all types"): Series("borates", _E, "production, boron minerals (all types)"),
    ("Chromium", "Mine production, grosss weight, marketable chromite ore"): Series("chromium", _E, "mine production, marketable chromite ore"),
    ("Cobalt", "Mine production, cobalt content, estimated"): Series("cobalt", _E, "mine production, cobalt content"),
    ("Cobalt", "Mine production, estimated"): Series("cobalt", _E, "mine production, cobalt content"),
    ("Copper", "Mine production, recoverable copper content"): Series("copper", _E, "mine production, recoverable copper content"),
    ("Copper", "Refinery production, copper"): Series("copper", _P, "refinery production, copper"),
    ("Feldspar", "Mine production, estimated"): Series("feldspar", _E, "mine production, feldspar"),
    ("Fluorspar", "Mine production, estimated"): Series("fluorspar", _E, "mine production, fluorspar"),
    ("Gallium", "Primary production"): Series("gallium", _P, "primary production, gallium"),
    ("Gemanium", "Primary and secondary refinery production"): Series("germanium", _P, "refinery production, germanium"),
    ("Gold", "mine production, gold content"): Series("gold", _E, "mine production, gold content"),
    ("Graphite", "Mine production"): Series("natural-graphite", _E, "mine production, natural graphite"),
    ("Helium", "Production, helium gas content"): Series("helium", _E, "production, helium gas content"),
    ("Indium", "Refinery production"): Series("indium", _P, "refinery production, indium"),
    ("Iodine", "Mine production, elemental iodine"): Series("iodine", _E, "mine production, elemental iodine"),
    ("Lead", "Mine production, lead content"): Series("lead", _E, "mine production, lead content"),
    ("Lithium", "Mine production, lithium content"): Series("lithium", _E, "mine production, lithium content"),
    ("Magnesium Compounds", "Mine production, magnesite - gross weight"): Series("magnesite", _E, "mine production, magnesite (gross weight)"),
    ("Magnesium metal", "Magnesium smelter production"): Series("magnesium", _P, "smelter production, magnesium metal"),
    ("Manganese", "Mine production, manganese content"): Series("manganese", _E, "mine production, manganese content"),
    ("Mercury", "Mine production, mercury content"): Series("mercury", _E, "mine production, mercury content"),
    ("Molybdenum", "Mine production, molybdenum content"): Series("molybdenum", _E, "mine production, molybdenum content"),
    ("Nickel", "Mine production, nickel content"): Series("nickel", _E, "mine production, nickel content"),
    ("Niobium", "Mine production, niobium content"): Series("niobium", _E, "mine production, niobium content"),
    ("Phosphate rock", "Mine production, marketable phosphate rock"): Series("phosphate-rock", _E, "mine production, marketable phosphate rock"),
    ("Platinum-Group metals", "Mine production, Palladium content"): Series("palladium", _E, "mine production, palladium content"),
    ("Platinum-Group metals", "Mine production, Platinum content"): Series("platinum", _E, "mine production, platinum content"),
    ("Rare earths", "Mine production, rare-earth-oxide equivalent"):
        Series("rare-earth-elements", _E, "mine production, rare-earth-oxide equivalent"),
    ("Rhenium", "Mine production, rhenium content"): Series("rhenium", _E, "mine production, rhenium content"),
    ("Selenium", "Refinery production, selenium content"): Series("selenium", _P, "refinery production, selenium content"),
    ("Silicon", "Plant production, silicon metal"): Series("silicon-metal", _P, "plant production, silicon metal"),
    ("Silicon", "Plant production, Ferosilicon, silicon content"): Series("silicon", _P, "plant production, ferrosilicon (silicon content)"),
    ("Silver", "Mine production, silver content"): Series("silver", _E, "mine production, silver content"),
    ("Strontium", "Mine production, strontium content"): Series("strontium", _E, "mine production, strontium content"),
    ("Sulfur", "Production, all forms, sulfur content"): Series("sulfur", _E, "production, all forms, sulfur content"),
    ("Tantalum", "Mine production, tantalum content"): Series("tantalum", _E, "mine production, tantalum content"),
    ("Tellurium", "Refinery production, tellurium content"): Series("tellurium", _P, "refinery production, tellurium content"),
    ("Titanium & titanium dioxide", "Sponge Metal Production"): Series("titanium-metal", _P, "titanium sponge metal production"),
    ("Titanium Mineral Concentrates", "Mine production, ilmentite, titanium dioxide (TiO2) content"):
        Series("titanium", _E, "mine production, ilmenite (TiO2 content)"),
    ("Titanium Mineral Concentrates", "Mine production, rutile, titanium dioxide (TiO2) content"):
        Series("titanium", _E, "mine production, rutile (TiO2 content)"),
    ("Tungsten", "Mine production, tungsten content"): Series("tungsten", _E, "mine production, tungsten content"),
    ("Vanadium", "Mine production, vanadium content"): Series("vanadium", _E, "mine production, vanadium content"),
    ("Zinc", "Mine production, zinc content"): Series("zinc", _E, "mine production, zinc content"),
}

#: Rows whose TYPE names one series but whose COUNTRY cell says they total two: USGS files the world
#: total of ilmenite AND rutile under the ilmenite TYPE. Read by TYPE alone it became a second world
#: total of the ilmenite series (9,430 t beside 8,840 t), the denominator of every ilmenite share.
#: (commodity, cleaned COUNTRY cell) → the series the row really belongs to.
USGS_ROW_SERIES: dict[tuple[str, str], Series] = {
    ("Titanium Mineral Concentrates", "World total (ilmenite and rutile, rounded)"):
        Series("titanium", _E, "mine production, ilmenite and rutile (TiO2 content)"),
}

#: Commodities (or series) deliberately left out, with the reason the import report gives.
USGS_LEFT_OUT: dict[str, str] = {
    "Titanium & titanium dioxide/Pigment Capacity": "pigment capacity, not production of a material of the graph",
    "Zirconium and Hafnium": "reported as zirconium gross weight; zirconium is not a material of the graph",
}

#: USGS unit strings → the graph's units (graph/vocabularies.ttl, graph/analytics.ttl) and their factor
#: to the unit's base unit (tonnes; cubic metres for helium).
#: Figures keep the source's own unit; the factor is only used to compare values inside a series.
USGS_UNITS: dict[str, tuple[str, float]] = {
    "metric tons": ("tonne", 1.0),
    "thousand metric tons": ("kilotonne", 1e3),
    "thousand metric dry tons": ("kilotonne-dry", 1e3),
    "million metric tons": ("megatonne", 1e6),
    "kilograms": ("kilogram", 1e-3),
    # a volume of gas (helium): no factor to tonnes exists; the factor is to the base unit, cubic metres
    "million cubic meters": ("million-cubic-metre", 1e6),
}

# ------------------------------------------------------------------ EC 2023 study materials
#: Material names of the EC tables → graph material slugs. The SR/EI table and the supply tables
#: spell several differently (Baryte/Barytes, Phosphorus/Phosphorous, Kaolin clay/Kaolin …).
EU_MATERIALS: dict[str, str] = {
    "Aluminium": "aluminium", "Antimony": "antimony", "Arsenic": "arsenic", "Baryte": "baryte", "Barytes": "baryte",
    "Bauxite": "bauxite", "Beryllium": "beryllium", "Bismuth": "bismuth", "Boron": "borates", "Borate": "borates",
    "Chromium": "chromium", "Cobalt": "cobalt", "Coking coal": "coking-coal", "Copper": "copper", "Feldspar": "feldspar",
    "Fluorspar": "fluorspar", "Gallium": "gallium", "Germanium": "germanium", "Gold": "gold", "Hafnium": "hafnium",
    "Helium": "helium", "Indium": "indium", "Lithium": "lithium", "Magnesite": "magnesite", "Magnesium": "magnesium",
    "Manganese": "manganese", "Molybdenum": "molybdenum", "Natural Rubber": "natural-rubber",
    "Natural rubber": "natural-rubber", "Natural graphite": "natural-graphite", "Natural Graphite": "natural-graphite",
    "Nickel": "nickel", "Niobium": "niobium", "Phosphate rock": "phosphate-rock", "Phosphate Rock": "phosphate-rock",
    "Phosphorus": "phosphorus", "Phosphorous": "phosphorus", "Rhenium": "rhenium", "Scandium": "scandium",
    "Selenium": "selenium", "Silicon metal": "silicon-metal", "Silver": "silver", "Strontium": "strontium",
    "Sulphur": "sulfur", "Tantalum": "tantalum", "Tellurium": "tellurium", "Titanium": "titanium",
    "Titanium metal": "titanium-metal", "Tungsten": "tungsten", "Vanadium": "vanadium", "Zinc": "zinc", "Lead": "lead",
    "HREEs": "heavy-rare-earth-elements", "Heavy Rare earths Elements": "heavy-rare-earth-elements",
    "LREEs": "light-rare-earth-elements", "PGMs": "platinum-group-metals",
    "Cerium": "cerium", "Lanthanum": "lanthanum", "Neodymium": "neodymium", "Praseodymium": "praseodymium",
    "Samarium": "samarium", "Yttrium": "yttrium", "Dysprosium": "dysprosium", "Gadolinium": "gadolinium",
    "Terbium": "terbium", "Iridium": "iridium", "Palladium": "palladium", "Platinum": "platinum", "Rhodium": "rhodium",
    "Ruthenium": "ruthenium",
}

#: EC names that have no material in the graph (listed as unmapped rows, with this reason).
EU_NOT_IN_GRAPH = ("Aggregates", "Bentonite", "Cadmium", "Diatomite", "Gypsum", "Hydrogen", "Iron ore", "Kaolin",
                   "Kaolin clay", "Krypton", "Limestone", "Natural Teak wood", "Natural teak wood", "Natural cork",
                   "Neon", "Perlite", "Potash", "Roundwood", "Sapele wood", "Silica sand", "Talc", "Tin", "Xenon",
                   "Zirconium", "Titanium ores", "Erbium", "Europium", "Holmium", "Lutetium", "Thulium", "Ytterbium")

EU_STAGES = {"E": "extraction", "P": "processing"}
