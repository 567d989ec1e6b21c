/* main: the command line. The only module that prints. */
#include <stdio.h>

int main(void)
{
    puts("lumbar: under construction");
    return 0;
}
