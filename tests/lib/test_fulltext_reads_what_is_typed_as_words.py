from __future__ import annotations

from rankandfile.lib.fulltext import MAX_WORDS, _match_all, search_words
from rankandfile.lib.geo import chord_for_km, distance_km, km_for_chord, sphere_point


def test_query_syntax_is_split_into_plain_words() -> None:
    assert search_words('"NEAR(tenants* -union)" name:Leeds OR ^choir') == [
        "near",
        "tenants",
        "union",
        "name",
        "leeds",
        "choir",
    ]
    assert search_words("tenant_union") == ["tenant", "union"]
    assert search_words('"*-:^()') == []


def test_common_words_are_left_out_unless_nothing_else_is_typed() -> None:
    assert search_words("the tenants of Leeds") == ["tenants", "leeds"]
    assert search_words("The The") == ["the"]


def test_a_long_phrase_is_searched_by_its_first_distinct_words() -> None:
    words = search_words(" ".join(f"word{n % 20}" for n in range(1000)))
    assert words == [f"word{n}" for n in range(MAX_WORDS)]


def test_each_word_reaches_fts5_as_a_quoted_string() -> None:
    assert _match_all(["near", "tenants"]) == '"near" AND "tenants"'
    assert _match_all(["leeds"], "name") == '{name} : ("leeds")'


def test_chords_on_the_unit_sphere_give_great_circle_distances() -> None:
    leeds, manchester = (53.7997, -1.5492), (53.4808, -2.2426)
    a, b = sphere_point(leeds), sphere_point(manchester)
    chord = sum((p - q) ** 2 for p, q in zip(a, b, strict=True)) ** 0.5
    assert abs(km_for_chord(chord) - distance_km(leeds, manchester)) < 1e-6
    assert abs(km_for_chord(chord_for_km(25)) - 25) < 1e-9
