"""Grey statistics of the PneumoniaMNIST PNGs, as the input gate measures them (GreyStatistics:
dynamic range = 99th - 1st percentile level, saturation = fraction at 0 or 255, entropy of the
256-bin histogram in bits): the figures behind the cheap-check limits in docs/TRIAGE-MODEL.md.
Standard library only (8-bit grey PNGs decoded with zlib). Usage:
    python3 tools/gate/grey_statistics.py ../shared/data/pneumoniamnist
"""
import zlib, struct, math, csv, sys, os
def png(path):
    b=open(path,'rb').read(); i=8; idat=b''; 
    while i<len(b):
        n,=struct.unpack('>I',b[i:i+4]); t=b[i+4:i+8]; d=b[i+8:i+8+n]; i+=12+n
        if t==b'IHDR': w,h,bd,ct=struct.unpack('>IIBB',d[:10])
        elif t==b'IDAT': idat+=d
    assert bd==8 and ct==0, (bd,ct)
    raw=zlib.decompress(idat); rows=[]; prev=[0]*w; p=0
    for y in range(h):
        f=raw[p]; line=list(raw[p+1:p+1+w]); p+=1+w
        for x in range(w):
            a=line[x-1] if x else 0; c=prev[x-1] if x else 0; up=prev[x]
            if f==1: line[x]=(line[x]+a)&255
            elif f==2: line[x]=(line[x]+up)&255
            elif f==3: line[x]=(line[x]+(a+up)//2)&255
            elif f==4:
                pa=abs(up-c); pb=abs(a-c); pc=abs(a+up-2*c)
                pr=a if pa<=pb and pa<=pc else (up if pb<=pc else c)
                line[x]=(line[x]+pr)&255
        rows.append(line); prev=line
    return w,h,[v for r in rows for v in r]
def stats(px):
    n=len(px); s=sorted(px); hist=[0]*256
    for v in px: hist[v]+=1
    lo=s[int(0.01*(n-1))]; hi=s[int(0.99*(n-1))]
    sat=(hist[0]+hist[255])/n
    ent=-sum(c/n*math.log2(c/n) for c in hist if c)
    return hi-lo, sat, ent
root=sys.argv[1]
for split in ['train','val']:
    R=[];S=[];E=[]
    for row in csv.DictReader(open(f'{root}/{split}.csv')):
        w,h,px=png(os.path.join(root,row['file'])); r,s,e=stats(px); R.append(r);S.append(s);E.append(e)
    for name,v in [('range',R),('sat',S),('ent',E)]:
        v=sorted(v); print(split,name,'min',v[0],'p0.1',v[len(v)//1000],'p1',v[len(v)//100],'p50',v[len(v)//2],'p99',v[99*len(v)//100],'max',v[-1])
