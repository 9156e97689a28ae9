using System.Numerics;

namespace ResidualSheaf.Engine.Integration;

/// <summary>A one-step method: chooses nothing, only attempts steps, estimates errors and interpolates the last accepted step.</summary>
internal abstract class Stepper
{
    private readonly OdeRhs _rhs;

    protected Stepper(int n, OdeRhs rhs, OdeStatistics stats)
    {
        N = n;
        _rhs = rhs;
        Stats = stats;
        Y = new double[n];
        YOld = new double[n];
        YNew = new double[n];
        F = new double[n];
        FOld = new double[n];
        Rtol = new double[n];
        Atol = new double[n];
    }

    public int N { get; }

    public OdeStatistics Stats { get; }

    public double T { get; protected set; }

    public double TOld { get; protected set; }

    public double TNew { get; protected set; }

    public double[] Y { get; private set; }

    public double[] YOld { get; private set; }

    public double[] YNew { get; private set; }

    /// <summary>f(T, Y) when <see cref="FValid"/>.</summary>
    public double[] F { get; }

    /// <summary>f(TOld, YOld) after an accepted step (copied on accept).</summary>
    public double[] FOld { get; }

    public bool FValid { get; protected set; }

    public double[] Rtol { get; }

    public double[] Atol { get; }

    /// <summary>Order of the propagated solution.</summary>
    public abstract int Order { get; }

    /// <summary>Order of the embedded error estimate (controller exponent 1/(q+1)).</summary>
    public virtual int ErrorOrder => Order - 1;

    public virtual bool IsAdaptive => true;

    /// <summary>Constant step for fixed-step methods.</summary>
    public virtual double FixedStep => double.NaN;

    public virtual double Safety => 0.9;

    public virtual double MinFactor => 0.2;

    public virtual double MaxFactor => 10.0;

    /// <summary>PI (Hairer–Lubich) β; 0 gives the classical I controller.</summary>
    public virtual double Beta => 0.0;

    protected bool DenseValid { get; set; }

    /// <summary>Largest step the method may attempt from the current state (stabilized methods: their stage limit).</summary>
    public virtual double StableStepLimit() => double.PositiveInfinity;

    public void Eval(double t, ReadOnlySpan<double> y, Span<double> dydt)
    {
        Stats.Nfev++;
        _rhs(t, y, dydt);
    }

    public void Initialize(double t, ReadOnlySpan<double> y)
    {
        T = t;
        TOld = t;
        y.CopyTo(Y);
        FValid = false;
        DenseValid = false;
        OnRestart();
    }

    /// <summary>Replaces the current state (after an event callback) and forgets FSAL/Jacobian data.</summary>
    public void Restart(double t, ReadOnlySpan<double> y)
    {
        T = t;
        y.CopyTo(Y);
        FValid = false;
        OnRestart();
    }

    /// <summary>Cuts the last accepted step at <paramref name="t"/> (the step's interpolant stays valid).</summary>
    public void TruncateAt(double t, ReadOnlySpan<double> yAtT)
    {
        T = t;
        yAtT.CopyTo(Y);
        FValid = false;
        OnRestart();
    }

    protected virtual void OnRestart()
    {
    }

    public void EnsureF()
    {
        if (!FValid)
        {
            Eval(T, Y, F);
            FValid = true;
        }
    }

    /// <summary>Attempts a step from (T, Y) to <paramref name="tNew"/>, writing YNew; returns the scaled error norm (0 for fixed-step methods).</summary>
    public abstract double TryStep(double tNew);

    /// <summary>Makes YNew the current state.</summary>
    public void Accept()
    {
        F.AsSpan().CopyTo(FOld);
        (YOld, Y, YNew) = (Y, YNew, YOld);
        TOld = T;
        T = TNew;
        DenseValid = false;
        OnAccept();
    }

    protected abstract void OnAccept();

    /// <summary>Interpolates on [TOld, TNew of the last accepted step].</summary>
    public void Interpolate(double t, Span<double> y)
    {
        DenseSegment s = LiveSegment();
        s.Evaluate(t, y);
    }

    /// <summary>The (lazily built) interpolant of the last accepted step.</summary>
    public DenseSegment LiveSegment()
    {
        if (!DenseValid)
        {
            BuildDense();
            DenseValid = true;
        }

        return CurrentSegment;
    }

    protected abstract DenseSegment CurrentSegment { get; }

    protected abstract void BuildDense();

    public virtual bool IsConverged() => false;

    /// <summary>RMS norm of err_i / (atol_i + rtol_i max(|y_i|, |yNew_i|)).</summary>
    protected double ErrorNorm(ReadOnlySpan<double> err)
    {
        double sum = 0;
        for (int i = 0; i < N; i++)
        {
            double sc = Atol[i] + (Rtol[i] * Math.Max(Math.Abs(Y[i]), Math.Abs(YNew[i])));
            double e = err[i] / sc;
            sum += e * e;
        }

        return Math.Sqrt(sum / N);
    }
}

/// <summary>Explicit Runge–Kutta method with FSAL last stage: stages 0..S-1 from the tableau, y_new from b, stage S = f(t+h, y_new).</summary>
internal abstract class ExplicitRkStepper : Stepper
{
    private readonly double[] _c;
    private readonly double[][] _a;
    private readonly double[] _b;

    protected ExplicitRkStepper(int n, OdeRhs rhs, OdeStatistics stats, double[] c, double[][] a, double[] b, int extraStages = 0)
        : base(n, rhs, stats)
    {
        _c = c;
        _a = a;
        _b = b;
        Stages = b.Length;
        K = new double[Stages + 1 + extraStages][];
        for (int s = 1; s < K.Length; s++)
        {
            K[s] = new double[n];
        }

        K[0] = F;
        Tmp = new double[n];
        Err = new double[n];
    }

    /// <summary>Number of stages before the FSAL evaluation.</summary>
    protected int Stages { get; }

    /// <summary>Stage derivatives; K[0] aliases F (valid only during a step attempt), K[Stages] = f(t+h, y_new).</summary>
    protected double[][] K { get; }

    protected double[] Tmp { get; }

    protected double[] Err { get; }

    protected double H { get; private set; }

    /// <summary>Stage j of the last accepted step (stage 0 is FOld after acceptance).</summary>
    protected double[] AcceptedStage(int j) => j == 0 ? FOld : K[j];

    public override double TryStep(double tNew)
    {
        EnsureF();
        double h = tNew - T;
        H = h;
        Span<double> y = Y;
        for (int s = 1; s < Stages; s++)
        {
            double[] a = _a[s];
            Span<double> tmp = Tmp;
            y.CopyTo(tmp);
            for (int j = 0; j < s; j++)
            {
                double aj = a[j];
                if (aj != 0)
                {
                    Axpy(h * aj, K[j], tmp);
                }
            }

            Eval(T + (_c[s] * h), tmp, K[s]);
        }

        Span<double> yNew = YNew;
        y.CopyTo(yNew);
        for (int j = 0; j < Stages; j++)
        {
            if (_b[j] != 0)
            {
                Axpy(h * _b[j], K[j], yNew);
            }
        }

        TNew = tNew;
        Eval(tNew, yNew, K[Stages]);
        return EstimateError(h);
    }

    protected abstract double EstimateError(double h);

    /// <summary>Standard embedded estimate err = h Σ_j e_j K_j over stages 0..Stages.</summary>
    protected double EmbeddedError(double h, double[] e)
    {
        Span<double> err = Err;
        err.Clear();
        for (int j = 0; j < e.Length; j++)
        {
            if (e[j] != 0)
            {
                Axpy(h * e[j], K[j], err);
            }
        }

        return ErrorNorm(err);
    }

    protected override void OnAccept()
    {
        K[Stages].AsSpan().CopyTo(F);
        FValid = true;
    }

    /// <summary>y += a x (SIMD for long vectors).</summary>
    protected static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && y.Length >= 2 * Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            int last = y.Length - Vector<double>.Count;
            for (; i <= last; i += Vector<double>.Count)
            {
                var vy = new Vector<double>(y[i..]);
                (vy + (va * new Vector<double>(x[i..]))).CopyTo(y[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }
}
