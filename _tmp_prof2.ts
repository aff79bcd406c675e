const g = globalThis as any; g.__copyProf = new Map();
await import('./_tmp_prof.ts');
console.log('COPY', [...g.__copyProf]);
