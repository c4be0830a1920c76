# tests_e2e.mk: (empty until its part lands)
