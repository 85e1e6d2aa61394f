"""Learning: the coalition's modules (a project's, some of them) and the residents enrolled in them."""
