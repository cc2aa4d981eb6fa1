#ifndef DEMO_C_H
#define DEMO_C_H

/* Allocates 1000 + 300 + 9 bytes at three sites and keeps them. */
void demo_c_allocate(void);

#endif
