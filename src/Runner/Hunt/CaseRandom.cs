namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// SplitMix64: a tiny, fast, well-mixed generator whose whole state is one word, so a stream is fully determined by
/// (master seed, case id, stream) and any case can be regenerated alone, on any thread.
/// </summary>
public struct CaseRandom
{
    private ulong _state;

    /// <summary>The stream <paramref name="stream"/> of case <paramref name="caseId"/> under <paramref name="masterSeed"/>.</summary>
    public CaseRandom(long masterSeed, long caseId, int stream)
    {
        _state = Mix((ulong)masterSeed ^ 0x243F6A8885A308D3UL);
        _state = Mix(_state ^ (ulong)caseId);
        _state = Mix(_state ^ (ulong)stream * 0x9E3779B97F4A7C15UL);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)(NextDouble() * n);

    /// <summary>A non-negative 63-bit seed (for torch.manual_seed).</summary>
    public long NextSeed() => (long)(NextBits() >> 1);

    /// <summary>Standard normal (Box–Muller; one draw per call keeps the stream simple to replay).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>n normal draws times <paramref name="scale"/>.</summary>
    public double[] Normals(int n, double scale)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * NextNormal();
        return v;
    }
}
