// An in-memory store of items, as an example resource. Replace it with a database.
export interface Item {
  id: number
  title: string
  createdAt: string
}

const items: Item[] = []
let nextId = 1

export function listItems(): Item[] {
  return items
}

export function addItem(title: string): Item {
  const item = { id: nextId++, title, createdAt: new Date().toISOString() }
  items.push(item)
  return item
}
