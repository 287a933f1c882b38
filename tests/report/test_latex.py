from pipeline.report.markdown import (
    THEME_COLUMNS,
    latex_escape,
    markdown_table,
    members_latex,
    members_markdown,
    themes_latex,
    themes_markdown,
)
from pipeline.report.tables import Quote


def test_latex_special_characters_print_as_themselves():
    assert latex_escape("50% of R&D_costs #1 {a} ~x^2 $5 C:\\dir") == (
        r"50\% of R\&D\_costs \#1 \{a\} \textasciitilde{}x\textasciicircum{}2 \$5 "
        r"C:\textbackslash{}dir"
    )


def test_the_paper_tables_in_latex_have_the_markdown_columns_and_booktabs_rules():
    themes = [
        {
            "name": "Trust",
            "messages": 13,
            "share": 0.042,
            "members": 7,
            "top_terms": "bayar, _price_",
            "quotes": [Quote("DP 50 persen", "Bu Norma", "2024-03-19T10:00", "g.txt", 266)],
        },
        {
            "name": "Training",
            "messages": 12,
            "share": 0.039,
            "members": 7,
            "top_terms": "latih",
            "quotes": [Quote("kelas online", "Aulia", "2024-03-30T09:00", "g.txt", 302)],
        },
    ]
    tex = themes_latex(themes)
    lines = tex.splitlines()
    assert lines[0] == r"\begin{table}[htbp]" and lines[-1] == r"\end{table}"
    # messages, shares and members are numbers: right-aligned; the rest wrap
    assert r"\begin{tabular}{p{0.22\linewidth}rrrp{0.22\linewidth}p{0.22\linewidth}}" in lines
    assert lines.index(r"\toprule") < lines.index(r"\midrule") < lines.index(r"\bottomrule")
    assert "Theme & Messages & Share & Members & Top terms & Supporting quotes \\\\" in lines
    # a quote is attributed (member, date) and numbered; its place is in the notes below
    assert (
        'Trust & 13 & 4.2\\% & 7 & bayar, \\_price\\_ & "DP 50 persen" (Bu Norma, 2024-03-19) [1] \\\\'
        in lines
    )
    assert r"\par\footnotesize [1] g.txt:266; [2] g.txt:302" in lines
    header = [title for _, title in THEME_COLUMNS]
    assert markdown_table(themes, THEME_COLUMNS).splitlines()[0] == "| " + " | ".join(header) + " |"
    markdown = themes_markdown(themes, 25)
    assert '"DP 50 persen" (Bu Norma, 2024-03-19)[^1] |' in markdown
    assert markdown.endswith("[^1]: g.txt:266\n[^2]: g.txt:302\n")


def test_table_iii_is_a_member_by_theme_table_of_shares_and_counts():
    members = [
        {
            "author": "Hj. Salmah",
            "messages": 40,
            "trust": 0.05,
            "trust_messages": 2,
            "training": 0.0,
            "training_messages": 0,
        },
    ]
    ids, names = ["trust", "training"], ["Trust", "Training"]
    tex = members_latex(members, ids, names)
    assert "Member & Messages & Trust & Training \\\\" in tex
    assert "Hj. Salmah & 40 & 5\\% (2) &  \\\\" in tex
    assert r"\begin{tabular}{p{0.22\linewidth}rrr}" in tex
    markdown = members_markdown(members, ids, ["Kepercayaan", "Pelatihan"])
    assert "| Member | Messages | Kepercayaan | Pelatihan |" in markdown
    assert "| Hj. Salmah | 40 | 5% (2) |  |" in markdown


def test_terms_shown_to_people_hold_no_placeholder():
    from pipeline.model.vectorise import shown_terms

    assert shown_terms(["harga", "_price_", "harga _price_", "info murah", "_phone_ selamat"]) == [
        "harga",
        "info murah",
    ]
