"""The model stage: vectorise messages, find seeded topics, map them to the codebook's
themes and score each message (vectorise, topics, themes, classify), fitted together in
`fitted.ThemeModel` and saved as plain files by `artifacts`."""
