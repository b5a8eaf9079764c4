// The home page. Replace it with the app's first screen.
import { useState } from 'react'
import { ArrowRight, Sparkles } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'

export default function HomePage() {
  const [name, setName] = useState('')
  return (
    <main className="flex min-h-svh items-center justify-center bg-background p-6 text-foreground">
      <Card className="w-full max-w-md">
        <CardHeader>
          <Badge variant="secondary" className="w-fit">
            <Sparkles aria-hidden="true" />
            New project
          </Badge>
          <CardTitle className="text-2xl">{{title}}</CardTitle>
          <CardDescription>
            Edit <code className="font-mono text-sm">src/pages/home.tsx</code> and save to see it change.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-2">
          <Label htmlFor="name">Your name</Label>
          <Input id="name" placeholder="Ada" value={name} onChange={(event) => setName(event.target.value)} />
        </CardContent>
        <CardFooter className="justify-between">
          <p className="text-sm text-muted-foreground">{name ? `Hello, ${name}!` : 'Say hello.'}</p>
          <Button>
            Get started
            <ArrowRight aria-hidden="true" />
          </Button>
        </CardFooter>
      </Card>
    </main>
  )
}
