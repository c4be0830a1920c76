# vmm.mk: (empty until its part lands)
