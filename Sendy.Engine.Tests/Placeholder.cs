namespace Sendy.Engine.Tests;
