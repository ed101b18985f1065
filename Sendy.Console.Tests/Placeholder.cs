namespace Sendy.Console.Tests;
