/*
 * scripts/crosscheck/chase.c — an independent, textbook pointer chase, kept to
 * cross-check `locus bench latency --window full` by hand (no established latency tool
 * is packaged for Debian 12).  Deliberately shares no code with locus: its own random
 * cyclic order of 64-byte lines over the whole footprint (4 KiB pages, MADV_NOHUGEPAGE),
 * pinned to CPU 0, timed with clock_gettime, best of 7 passes.
 *
 *   gcc -O2 -o chase scripts/crosscheck/chase.c && ./chase 262144 524288 1073741824
 *   locus bench latency --window full --sizes 256K,512K,1G
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <sched.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC_RAW,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
	cpu_set_t s;CPU_ZERO(&s);CPU_SET(0,&s);sched_setaffinity(0,sizeof s,&s);
	for(int a=1;a<argc;a++){
		size_t bytes=strtoull(argv[a],0,0),n=bytes/64;
		char*buf=mmap(0,bytes,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
		madvise(buf,bytes,MADV_NOHUGEPAGE);
		size_t*idx=malloc(n*sizeof*idx);for(size_t i=0;i<n;i++)idx[i]=i;
		uint64_t x=88172645463325252ull;
		for(size_t i=n-1;i>0;i--){x^=x<<13;x^=x>>7;x^=x<<17;size_t j=x%i;size_t t=idx[i];idx[i]=idx[j];idx[j]=t;}
		for(size_t i=0;i<n;i++)*(void**)(buf+idx[i]*64)=buf+idx[(i+1)%n]*64;
		free(idx);
		void**p=(void**)buf;size_t loads=n*4>20000000?n*4:20000000;
		for(size_t i=0;i<n;i++)p=(void**)*p;
		double best=1e9;
		for(int r=0;r<7;r++){double t0=now();for(size_t i=0;i<loads;i+=8){p=*p;p=*p;p=*p;p=*p;p=*p;p=*p;p=*p;p=*p;}double t=(now()-t0)/loads*1e9;if(t<best)best=t;}
		double med=best;
		printf("%zu %.2f %p\n",bytes,med,(void*)p);
		munmap(buf,bytes);
	}
}
