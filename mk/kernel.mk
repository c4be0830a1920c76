# kernel.mk: (empty until its part lands)
