"""maps owns system maps: elements, connections, each perspective's view of the system, snapshots,
the comparison of perspectives, network analysis (analysis/, pure functions on igraph) and the map
file formats (formats/: Kumu JSON and spreadsheets, GraphML, GEXF, perspectives CSV)."""
