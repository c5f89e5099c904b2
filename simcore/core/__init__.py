"""What every layer of simcore shares and that imports nothing of simcore: the vocabulary of primitive shock rows
(`primitives`), the two rules of time both engines and the compiler apply (`timing`), the two rules of production both engines apply (`bounds`), and the compiled form of a
run, the only thing engines see (`compiled`)."""
