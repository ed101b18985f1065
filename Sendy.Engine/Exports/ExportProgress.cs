namespace Sendy.Engine.Exports;

/// <summary>How many rows an export has written so far: what the admin log records, also when the export stops part way.</summary>
public sealed class ExportProgress
{
    private long _rows;

    public long Rows => Interlocked.Read(ref _rows);

    public void Add() => Interlocked.Increment(ref _rows);
}
