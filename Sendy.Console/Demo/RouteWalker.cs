namespace Sendy.Console.Demo;

/// <summary>Moves along a route at a given speed, back and forth, and reports position and heading.</summary>
public sealed class RouteWalker
{
    private const double EarthRadiusMeters = 6_371_000;
    private readonly DemoRoute _route;
    private readonly double[] _cumulative;
    private double _distance;
    private int _direction;

    public RouteWalker(DemoRoute route, double startFraction, bool reverse)
    {
        _route = route;
        _cumulative = new double[route.Points.Length];
        for (var i = 1; i < route.Points.Length; i++)
            _cumulative[i] = _cumulative[i - 1] + Distance(route.Points[i - 1], route.Points[i]);
        _distance = Length * Math.Clamp(startFraction, 0, 1);
        _direction = reverse ? -1 : 1;
    }

    public double Length => _cumulative[^1];

    public (double Lat, double Lon, double Heading) Advance(double meters)
    {
        _distance += _direction * meters;
        if (_distance >= Length) { _distance = 2 * Length - _distance; _direction = -1; }
        if (_distance <= 0) { _distance = -_distance; _direction = 1; }
        var i = Array.FindIndex(_cumulative, c => c >= _distance);
        i = Math.Clamp(i, 1, _cumulative.Length - 1);
        var (a, b) = (_route.Points[i - 1], _route.Points[i]);
        var segment = _cumulative[i] - _cumulative[i - 1];
        var t = segment <= 0 ? 0 : (_distance - _cumulative[i - 1]) / segment;
        var lat = a.Lat + (b.Lat - a.Lat) * t;
        var lon = a.Lon + (b.Lon - a.Lon) * t;
        var heading = _direction > 0 ? Bearing(a, b) : Bearing(b, a);
        return (lat, lon, heading);
    }

    public static double Distance((double Lat, double Lon) a, (double Lat, double Lon) b)
    {
        var dLat = ToRad(b.Lat - a.Lat);
        var dLon = ToRad(b.Lon - a.Lon);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
            + Math.Cos(ToRad(a.Lat)) * Math.Cos(ToRad(b.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Sqrt(h));
    }

    public static double Bearing((double Lat, double Lon) a, (double Lat, double Lon) b)
    {
        var y = Math.Sin(ToRad(b.Lon - a.Lon)) * Math.Cos(ToRad(b.Lat));
        var x = Math.Cos(ToRad(a.Lat)) * Math.Sin(ToRad(b.Lat))
            - Math.Sin(ToRad(a.Lat)) * Math.Cos(ToRad(b.Lat)) * Math.Cos(ToRad(b.Lon - a.Lon));
        return (Math.Atan2(y, x) * 180 / Math.PI + 360) % 360;
    }

    private static double ToRad(double degrees) => degrees * Math.PI / 180;
}
