"""The application service and its facets (private: use ``lamtheoguongbac.Handbooks``)."""
