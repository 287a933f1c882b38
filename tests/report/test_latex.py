from pipeline.report.markdown import (
    MEMBER_COLUMNS,
    THEME_COLUMNS,
    latex_escape,
    markdown_table,
    members_latex,
    themes_latex,
)


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
            "quotes": '"DP 50 persen" (Bu Norma, 2024-03-19)',
        },
        {
            "name": "Training",
            "messages": 12,
            "share": 0.039,
            "members": 7,
            "top_terms": "latih",
            "quotes": "",
        },
    ]
    tex = themes_latex(themes)
    lines = tex.splitlines()
    assert lines[0] == r"\begin{table}[htbp]" and lines[-1] == r"\end{table}"
    # messages and members are numbers: right-aligned; the rest wrap
    assert (
        r"\begin{tabular}{p{0.22\linewidth}rp{0.22\linewidth}rp{0.22\linewidth}p{0.22\linewidth}}"
        in lines
    )
    assert lines.index(r"\toprule") < lines.index(r"\midrule") < lines.index(r"\bottomrule")
    assert "Theme & Messages & Share & Members & Top terms & Supporting quotes \\\\" in lines
    assert (
        'Trust & 13 & 4.2\\% & 7 & bayar, \\_price\\_ & "DP 50 persen" (Bu Norma, 2024-03-19) \\\\'
        in lines
    )
    header = [title for _, title in THEME_COLUMNS]
    assert markdown_table(themes, THEME_COLUMNS).splitlines()[0] == "| " + " | ".join(header) + " |"
    members = members_latex([{"author": "Hj. Salmah", "messages": 41, "themes": "trust (0.05)"}])
    assert " & ".join(t for _, t in MEMBER_COLUMNS) + " \\\\" in members
    assert "Hj. Salmah & 41 & trust (0.05) \\\\" in members


def test_terms_shown_to_people_hold_no_placeholder():
    from pipeline.model.vectorise import shown_terms

    assert shown_terms(["harga", "_price_", "harga _price_", "info murah", "_phone_ selamat"]) == [
        "harga",
        "info murah",
    ]
