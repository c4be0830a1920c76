# tests_unit.mk: (empty until its part lands)
