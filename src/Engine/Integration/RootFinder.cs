namespace ResidualSheaf.Engine.Integration;

/// <summary>Bracketing root finder (Illinois variant of regula falsi with bisection safeguard).</summary>
internal static class RootFinder
{
    /// <summary>
    /// Finds a root of <paramref name="g"/> in [a, b] where g(a) and g(b) have opposite signs (or g(b) = 0), to within <paramref name="tol"/>.
    /// Returns the bracket end on the side of <paramref name="b"/> (the "after the crossing" side). Returns NaN if g becomes non-finite.
    /// </summary>
    public static double Illinois<TState>(Func<TState, double, double> g, TState state, double a, double ga, double b, double gb, double tol)
    {
        if (gb == 0)
        {
            return b;
        }

        int side = 0;
        double width = Math.Abs(b - a);
        for (int iter = 0; iter < 200 && Math.Abs(b - a) > tol; iter++)
        {
            double x;
            if (iter % 4 == 3 && Math.Abs(b - a) > 0.5 * width)
            {
                x = 0.5 * (a + b);
            }
            else
            {
                x = ((a * gb) - (b * ga)) / (gb - ga);
                if (!(x > Math.Min(a, b) && x < Math.Max(a, b)))
                {
                    x = 0.5 * (a + b);
                }
            }

            if (iter % 4 == 3)
            {
                width = Math.Abs(b - a);
            }

            double gx = g(state, x);
            if (!double.IsFinite(gx))
            {
                return double.NaN;
            }

            if (gx == 0)
            {
                return x;
            }

            if (Math.Sign(gx) == Math.Sign(gb))
            {
                b = x;
                gb = gx;
                if (side == -1)
                {
                    ga *= 0.5;
                }

                side = -1;
            }
            else
            {
                a = x;
                ga = gx;
                if (side == 1)
                {
                    gb *= 0.5;
                }

                side = 1;
            }
        }

        return b;
    }
}
