"""Reports: Table II (themes), Table III (members), topics, and the HTML page."""
