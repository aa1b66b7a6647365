"""Search across what every feature offers (`services.offers.SEARCHABLE`): its own index
(`index`), the query and its permissions (`query`), its sentences (`texts`). Imports no
feature: the features describe their items, the search keeps a folded copy."""
