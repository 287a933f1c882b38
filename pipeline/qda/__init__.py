"""The road to and from the researcher's QDA tool (NVivo, ATLAS.ti, MAXQDA, QualCoder):
REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`) written from a run (`export`), read
back once people have coded them (`read`), and their codings turned into labelled
messages (`coded`)."""
