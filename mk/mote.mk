# mote.mk: (empty until its part lands)
